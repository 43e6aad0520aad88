import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { filter, map, startWith } from 'rxjs';
import { NavigationEnd, Router, RouterLink, RouterLinkActive } from '@angular/router';

/** The pages only admins use, and rarely: they share one place in the top bar. */
export const ADMIN_PAGES = [
  { path: 'team', label: 'Team', linkClass: 'team-link' },
  { path: 'labels', label: 'Labels', linkClass: 'labels-link' },
  { path: 'canned', label: 'Canned replies', linkClass: 'canned-link' },
  { path: 'api-keys', label: 'API keys', linkClass: 'api-keys-link' },
  { path: 'webhooks', label: 'Webhooks', linkClass: 'webhooks-link' },
] as const;

/**
 * The admin pages behind one button, so the top bar holds on one row. A disclosure (a button
 * that shows a list of links), the pattern for navigation: Enter or Space opens it, the arrow
 * keys, Home and End move through the links, Escape closes it and returns to the button; it
 * closes when a page is chosen, on a click elsewhere and when focus leaves it.
 */
@Component({
  selector: 'app-admin-menu',
  imports: [RouterLink, RouterLinkActive],
  templateUrl: './admin-menu.component.html',
  styleUrl: './admin-menu.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    '(keydown)': 'onKeydown($event)',
    '(focusout)': 'onFocusOut($event)',
    '(document:click)': 'onDocumentClick($event)',
  },
})
export class AdminMenuComponent {
  private readonly router = inject(Router);
  private readonly host: ElementRef<HTMLElement> = inject(ElementRef);
  private readonly injector = inject(Injector);
  private readonly toggle = viewChild.required<ElementRef<HTMLButtonElement>>('toggle');

  protected readonly pages = ADMIN_PAGES;
  protected readonly open = signal(false);
  /** One of these pages is on screen: the button shows it, as the links beside it do. */
  protected readonly current = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      startWith(null),
      map(() => {
        const first = this.router.parseUrl(this.router.url).root.children['primary']?.segments[0];
        return ADMIN_PAGES.some((p) => p.path === first?.path);
      }),
    ),
    { requireSync: true },
  );

  constructor() {
    this.router.events
      .pipe(
        filter((e) => e instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.open.set(false));
  }

  protected flip(): void {
    this.open.update((open) => !open);
  }

  protected onKeydown(event: KeyboardEvent): void {
    const links = this.links();
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = at === -1 ? 0 : (at + 1) % links.length;
        break;
      case 'ArrowUp':
        next = at === -1 ? links.length - 1 : (at - 1 + links.length) % links.length;
        break;
      case 'Home':
      case 'End':
        if (at === -1) return;
        next = event.key === 'Home' ? 0 : links.length - 1;
        break;
      case 'Escape':
        if (!this.open()) return;
        // Handled here: the conversation's own Escape (back to the list) must not fire too.
        event.preventDefault();
        event.stopPropagation();
        this.close(true);
        return;
      case 'Enter':
      case ' ':
        // The button or link acts on it by itself; page-wide shortcuts (Enter opens the
        // selected chat) must not see it too.
        event.stopPropagation();
        return;
      default:
        return;
    }
    event.preventDefault();
    if (this.open()) {
      links[next]?.focus();
    } else {
      this.open.set(true);
      afterNextRender(() => this.links()[next]?.focus(), { injector: this.injector });
    }
  }

  protected onFocusOut(event: FocusEvent): void {
    const to = event.relatedTarget as Node | null;
    if (to && !this.host.nativeElement.contains(to)) this.open.set(false);
  }

  protected onDocumentClick(event: MouseEvent): void {
    if (this.open() && !this.host.nativeElement.contains(event.target as Node)) {
      this.open.set(false);
    }
  }

  private close(refocus: boolean): void {
    this.open.set(false);
    if (refocus) this.toggle().nativeElement.focus();
  }

  private links(): HTMLAnchorElement[] {
    return Array.from(this.host.nativeElement.querySelectorAll<HTMLAnchorElement>('.pages a'));
  }
}
