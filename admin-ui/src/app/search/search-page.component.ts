import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { HttpErrorResponse } from '@angular/common/http';
import { RouterLink } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { ClockService } from '../core/clock.service';
import { clockTime, dayLabel } from '../core/time-format';
import { segments, type Segment } from './highlight';
import { SearchApi, type SearchResult } from './search-api.service';

type Status = 'idle' | 'loading' | 'ready' | 'error';

/**
 * Results for `?q=`: newest first, a page at a time. Each result is a link that opens the chat
 * at the message (or, for a customer found by email or name, the chat). Snippets come as text
 * with highlight offsets, drawn as text nodes and `<mark>` elements: never as HTML.
 */
@Component({
  selector: 'app-search-page',
  imports: [RouterLink],
  templateUrl: './search-page.component.html',
  styleUrls: ['../core/page-frame.css', '../labels/admin-page.css', './search-page.component.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SearchPageComponent {
  private readonly api = inject(SearchApi);
  private readonly clock = inject(ClockService);

  /** The query, from the URL. */
  readonly q = input<string | undefined>();

  protected readonly results = signal<SearchResult[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly status = signal<Status>('idle');
  protected readonly error = signal<string | null>(null);
  protected readonly loadingMore = signal(false);
  protected readonly query = computed(() => (this.q() ?? '').trim());
  /** Read out when it changes (aria-live): how many results are on the page. */
  protected readonly summary = computed(() => {
    const q = this.query();
    const n = this.results().length;
    switch (this.status()) {
      case 'idle':
        return 'Type in the search box above: words in messages and notes ("quotes" for a phrase), or part of a customer’s email or name.';
      case 'loading':
        return `Searching for “${q}”…`;
      case 'error':
        return `No results for “${q}”.`;
      default:
        if (n === 0) return `No results for “${q}”.`;
        return `${n}${this.nextCursor() ? '+' : ''} ${n === 1 ? 'result' : 'results'} for “${q}”, newest first`;
    }
  });
  private generation = 0;

  constructor() {
    effect(() => {
      const q = this.query();
      untracked(() => void this.start(q));
    });
  }

  protected async more(): Promise<void> {
    const cursor = this.nextCursor();
    if (!cursor || this.loadingMore()) return;
    const run = this.generation;
    this.loadingMore.set(true);
    try {
      const page = await firstValueFrom(this.api.search(this.query(), cursor));
      if (run !== this.generation) return;
      this.results.update((list) => [...list, ...page.items]);
      this.nextCursor.set(page.next_cursor);
    } catch (err) {
      if (run === this.generation) this.error.set(reason(err));
    } finally {
      if (run === this.generation) this.loadingMore.set(false);
    }
  }

  protected key(result: SearchResult): string {
    return result.message ? `m:${result.message.id}` : `u:${result.chat.id}`;
  }

  protected who(result: SearchResult): string {
    const { chat, message } = result;
    const customer = chat.user_name || chat.user_email;
    if (!message || message.sender_type === 'user') return customer;
    return `${message.sender_name || 'Agent'} to ${customer}`;
  }

  protected segments(result: SearchResult): Segment[] {
    return segments(result.snippet, result.highlights ?? []);
  }

  protected when(result: SearchResult): string | null {
    return result.message?.created_at ?? result.chat.last_message_at;
  }

  protected dateLabel(iso: string): string {
    return `${dayLabel(iso, this.clock.now())}, ${clockTime(iso)}`;
  }

  private async start(q: string): Promise<void> {
    const run = ++this.generation;
    this.results.set([]);
    this.nextCursor.set(null);
    this.error.set(null);
    this.loadingMore.set(false);
    if (!q) {
      this.status.set('idle');
      return;
    }
    this.status.set('loading');
    try {
      const page = await firstValueFrom(this.api.search(q, null));
      if (run !== this.generation) return;
      this.results.set(page.items);
      this.nextCursor.set(page.next_cursor);
      this.status.set('ready');
    } catch (err) {
      if (run !== this.generation) return;
      this.error.set(reason(err));
      this.status.set('error');
    }
  }
}

/** The server's reason for a 400 ("q has nothing to search for…"), or a general line. */
function reason(err: unknown): string {
  if (err instanceof HttpErrorResponse && err.status === 400) {
    const message: unknown = err.error?.message;
    const text = Array.isArray(message) ? message.join('; ') : message;
    if (typeof text === 'string' && text) return `This search cannot be run: ${text}.`;
  }
  return 'Search failed. Try again in a moment.';
}
