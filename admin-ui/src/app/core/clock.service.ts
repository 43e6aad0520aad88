import { Injectable, OnDestroy, signal } from '@angular/core';

const TICK_MS = 30_000;

/**
 * A shared "now" so every relative time ("2 minutes ago") re-renders together, on one timer,
 * instead of each card running its own.
 */
@Injectable({ providedIn: 'root' })
export class ClockService implements OnDestroy {
  readonly now = signal(Date.now());
  private readonly timer = setInterval(() => this.now.set(Date.now()), TICK_MS);

  ngOnDestroy(): void {
    clearInterval(this.timer);
  }
}
