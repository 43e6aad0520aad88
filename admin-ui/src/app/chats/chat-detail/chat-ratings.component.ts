import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { SupportRating } from '../../../../../backend/src/contracts/wire';

type RatingLine = Pick<SupportRating, 'id' | 'score' | 'comment' | 'created_at'>;
import { SocketService } from '../../core/socket.service';

/**
 * The customer's ratings of this chat, as lines at the end of the conversation ("Rated 4/5:
 * comment"): loaded with the chat and added live from `rating_created`. Plain text.
 */
@Component({
  selector: 'app-chat-ratings',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @for (r of ratings(); track r.id) {
      <p
        class="rating-line"
        data-kind="rating"
        [attr.data-rating-id]="r.id"
        [attr.data-score]="r.score"
      >
        <span>Rated {{ r.score }}/5{{ r.comment ? ': ' + r.comment : '' }}</span>
        <time [attr.datetime]="r.created_at">{{
          r.created_at.slice(0, 16).replace('T', ' ')
        }}</time>
      </p>
    }
  `,
  styles: `
    :host {
      display: contents;
    }
    .rating-line {
      align-self: center;
      display: flex;
      gap: 8px;
      margin: 4px 0;
      padding: 2px 10px;
      border-radius: 10px;
      background: var(--bg);
      color: var(--muted);
      font-size: 13px;
    }
  `,
})
export class ChatRatingsComponent {
  private readonly http = inject(HttpClient);
  readonly chatId = input.required<string>();
  protected readonly ratings = signal<RatingLine[]>([]);

  constructor() {
    effect((onCleanup) => {
      const id = this.chatId();
      this.ratings.set([]);
      const sub = this.http
        .get<SupportRating[]>(`/api/admin/chats/${encodeURIComponent(id)}/ratings`)
        .subscribe({ next: (list) => this.add(list), error: () => undefined });
      onCleanup(() => sub.unsubscribe());
    });
    inject(SocketService)
      .on('rating_created')
      .pipe(takeUntilDestroyed())
      .subscribe(({ chat_id, rating }) => {
        if (chat_id === this.chatId()) this.add([rating]);
      });
  }

  private add(incoming: RatingLine[]): void {
    this.ratings.update((list) => {
      const byId = new Map(list.map((r) => [r.id, r] as const));
      for (const r of incoming) byId.set(r.id, r);
      return [...byId.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
    });
  }
}
