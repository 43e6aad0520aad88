import { HttpClient } from '@angular/common/http';
import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { Subscription } from 'rxjs';
import type { SupportRating } from '../../../../../backend/src/contracts/wire';
import { SocketService } from '../../core/socket.service';

/** What a rating line in the conversation shows. */
export type RatingLine = Pick<SupportRating, 'id' | 'score' | 'comment' | 'created_at'>;

/** "Rated 4/5: quick and kind", plain text. */
export function ratingText(r: RatingLine): string {
  return `Rated ${r.score}/5${r.comment ? `: ${r.comment}` : ''}`;
}

/**
 * The customer's ratings of the open chat, oldest first: loaded with the chat and added live
 * from `rating_created`, for the conversation's timeline.
 */
@Injectable()
export class ChatRatingsStore {
  private readonly http = inject(HttpClient);
  private chatId: string | null = null;
  private loading?: Subscription;
  readonly lines = signal<RatingLine[]>([]);

  constructor() {
    inject(SocketService)
      .on('rating_created')
      .pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe(({ chat_id, rating }) => {
        if (chat_id === this.chatId) this.add([rating]);
      });
  }

  open(chatId: string): void {
    if (chatId === this.chatId) return;
    this.chatId = chatId;
    this.lines.set([]);
    this.loading?.unsubscribe();
    this.loading = this.http
      .get<SupportRating[]>(`/api/admin/chats/${encodeURIComponent(chatId)}/ratings`)
      .subscribe({ next: (list) => this.add(list), error: () => undefined });
  }

  private add(incoming: readonly RatingLine[]): void {
    this.lines.update((list) => {
      const byId = new Map(list.map((r) => [r.id, r] as const));
      for (const r of incoming) byId.set(r.id, r);
      return [...byId.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
    });
  }
}
