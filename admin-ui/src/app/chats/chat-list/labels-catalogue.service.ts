import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { SupportLabel } from '../../../../../backend/src/contracts/wire';
import { SocketService } from '../../core/socket.service';

/**
 * The team's labels (name and colour) for the cards' chips and the list's label filter: read
 * once, then kept current by `labels_changed`. Chats carry label names only, so a name the
 * catalogue does not know (yet) is still shown, without a colour.
 */
@Injectable()
export class LabelsCatalogue {
  private readonly http = inject(HttpClient);
  private readonly list = signal<readonly SupportLabel[]>([]);
  private requested = false;

  readonly labels = this.list.asReadonly();
  private readonly colors = computed(() => new Map(this.list().map((l) => [l.name, l.color])));

  constructor() {
    inject(SocketService)
      .on('labels_changed')
      .pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((event) => this.list.set(sortByName(event.labels)));
  }

  /** Reads the catalogue the first time something needs it. */
  load(): void {
    if (this.requested) return;
    this.requested = true;
    this.http.get<SupportLabel[]>('/api/admin/labels').subscribe({
      next: (labels) => this.list.set(sortByName(labels)),
      // Without the catalogue, cards still show label names; the filter offers none.
      error: () => (this.requested = false),
    });
  }

  colorOf(name: string): string | null {
    return this.colors().get(name) ?? null;
  }
}

function sortByName(labels: readonly SupportLabel[]): SupportLabel[] {
  return [...labels].sort((a, b) => a.name.localeCompare(b.name));
}
