import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router } from '@angular/router';
import { filter } from 'rxjs';
import { isShortcutEvent } from '../core/keyboard';

/**
 * The search field in the console's top bar: Enter opens the results page. `/` (when not
 * typing elsewhere) or Ctrl/⌘+K puts the cursor in it from any page. (In the reply box `/`
 * stays the canned replies' trigger: shortcuts never fire while typing.)
 */
@Component({
  selector: 'app-search-box',
  template: `
    <form class="search-box" role="search" (submit)="submit($event)">
      <label class="visually-hidden" for="console-search">Search messages and customers</label>
      <input
        #field
        id="console-search"
        name="q"
        type="search"
        autocomplete="off"
        enterkeyhint="search"
        placeholder="Search…"
        aria-keyshortcuts="/ Control+K"
        maxlength="200"
        [value]="query()"
        (input)="query.set(field.value)"
        (keydown.escape)="field.blur()"
      />
      <kbd class="hint" aria-hidden="true">/</kbd>
    </form>
  `,
  styles: `
    :host {
      display: block;
    }
    .search-box {
      position: relative;
      display: flex;
      align-items: center;
    }
    input {
      width: 100%;
      min-height: 32px;
      padding: 4px 28px 4px 10px;
      border: 1px solid var(--border);
      border-radius: 6px;
      background: var(--bg);
      font: inherit;
      color: var(--text);
    }
    input:focus {
      outline: 2px solid var(--accent);
      outline-offset: 1px;
      background: var(--surface);
    }
    .hint {
      position: absolute;
      right: 8px;
      padding: 0 5px;
      border: 1px solid var(--border);
      border-radius: 4px;
      color: var(--muted);
      font-size: 12px;
      pointer-events: none;
    }
    input:focus + .hint {
      display: none;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown)': 'onKeydown($event)' },
})
export class SearchBoxComponent {
  private readonly router = inject(Router);
  private readonly field = viewChild.required<ElementRef<HTMLInputElement>>('field');
  protected readonly query = signal('');

  constructor() {
    // On the results page the field shows what was searched (a reload, a shared link).
    this.router.events
      .pipe(
        filter((e) => e instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => {
        const tree = this.router.parseUrl(this.router.url);
        if (tree.root.children['primary']?.segments[0]?.path === 'search') {
          this.query.set(tree.queryParams['q'] ?? '');
        }
      });
  }

  protected submit(event: Event): void {
    event.preventDefault();
    const q = this.query().trim();
    if (!q) return;
    void this.router.navigate(['/search'], { queryParams: { q } });
  }

  protected onKeydown(event: KeyboardEvent): void {
    const ctrlK =
      (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k';
    if (ctrlK || (event.key === '/' && isShortcutEvent(event))) {
      event.preventDefault();
      this.field().nativeElement.focus();
      this.field().nativeElement.select();
    }
  }
}
