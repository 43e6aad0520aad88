import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { CannedApi, CannedReply } from '../../canned/canned-api.service';
import { errorMessage } from '../../core/http-error';
import { SocketService } from '../../core/socket.service';
import { ChatsStore } from '../chats.store';
import { ChatDetailStore } from './chat-detail.store';
import { TypingSender } from './typing';

/** The `/word` being typed just before the caret, if any: a search of the canned replies. */
export function slashToken(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|\s)\/([\w-]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[1].length - 1, query: match[1].toLowerCase() };
}

const MAX_SUGGESTIONS = 8;

/**
 * The reply box: replies and internal notes (a switch, or Alt+N), typing sent to the customer
 * (never from a note), and canned replies found by typing `/` (an ARIA combobox).
 */
@Component({
  selector: 'app-composer',
  templateUrl: './composer.component.html',
  styleUrl: './composer.component.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ComposerComponent {
  private readonly store = inject(ChatDetailStore);
  private readonly chats = inject(ChatsStore);
  private readonly canned = inject(CannedApi);
  private readonly injector = inject(Injector);
  private readonly textarea = viewChild<ElementRef<HTMLTextAreaElement>>('box');
  private readonly socket = inject(SocketService);
  private readonly typing = new TypingSender((chatId, typing) => {
    void this.socket.sendTyping(chatId, typing);
  });

  readonly chatId = input.required<string>();
  readonly disabled = input(false);
  /** A reply or note left the box. */
  readonly sent = output<void>();

  protected readonly draft = signal('');
  protected readonly noteMode = signal(false);
  /** The canned-reply search while the list is open; null when it is closed. */
  protected readonly query = signal<string | null>(null);
  protected readonly activeIndex = signal(0);
  protected readonly notice = signal<string | null>(null);
  private readonly replies = signal<CannedReply[] | null>(null);
  private repliesRequested = false;
  private tokenStart = 0;

  protected readonly suggestions = computed(() => {
    const query = this.query();
    const replies = this.replies();
    if (query === null || !replies) return [];
    return replies
      .filter(
        (r) =>
          r.shortcut.slice(1).includes(query) ||
          r.title.toLowerCase().includes(query) ||
          r.content.toLowerCase().includes(query),
      )
      .sort(
        (a, b) =>
          Number(!a.shortcut.startsWith(`/${query}`)) - Number(!b.shortcut.startsWith(`/${query}`)),
      )
      .slice(0, MAX_SUGGESTIONS);
  });
  protected readonly listOpen = computed(() => this.query() !== null);
  protected readonly activeId = computed(() => {
    const item = this.suggestions()[this.activeIndex()];
    return this.listOpen() && item ? `canned-${item.id}` : null;
  });

  constructor() {
    effect(() => {
      const id = this.chatId();
      untracked(() => {
        this.typing.stop();
        this.draft.set(this.chats.draftFor(id));
        this.noteMode.set(false);
        this.closeList();
        this.notice.set(null);
      });
    });
    inject(DestroyRef).onDestroy(() => this.typing.stop());
  }

  focus(): void {
    this.textarea()?.nativeElement.focus();
  }

  /** Switches between a reply to the customer and a note for the team. */
  toggleNote(on = !this.noteMode()): void {
    this.noteMode.set(on);
    // Whatever is in the box now is a note: the customer must not see it being typed.
    if (on) this.typing.stop();
    else this.typing.typed(this.chatId(), this.draft());
  }

  protected onInput(event: Event): void {
    const box = event.target as HTMLTextAreaElement;
    this.draft.set(box.value);
    this.chats.saveDraft(this.chatId(), box.value);
    if (!this.noteMode()) this.typing.typed(this.chatId(), box.value);
    this.updateList(box);
  }

  protected onBlur(): void {
    this.typing.stop();
    this.closeList();
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (this.listOpen()) {
      const count = this.suggestions().length;
      switch (event.key) {
        case 'ArrowDown':
        case 'ArrowUp':
          event.preventDefault();
          if (count > 0) {
            const step = event.key === 'ArrowDown' ? 1 : -1;
            this.activeIndex.set((this.activeIndex() + step + count) % count);
            this.scrollActiveIntoView();
          }
          return;
        case 'Escape':
          // Closes the list only; the conversation's Escape (back to the list) waits its turn.
          event.preventDefault();
          event.stopPropagation();
          this.closeList();
          return;
        case 'Enter':
        case 'Tab': {
          const choice = this.suggestions()[this.activeIndex()];
          if (!choice) break;
          event.preventDefault();
          event.stopPropagation();
          void this.choose(choice);
          return;
        }
      }
    }
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) is not "send".
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.send();
  }

  protected onCaretMove(event: Event): void {
    if (this.listOpen()) this.updateList(event.target as HTMLTextAreaElement);
  }

  protected send(event?: Event): void {
    event?.preventDefault();
    const text = this.draft().trim();
    if (!text) return;
    this.typing.stop();
    this.store.send(text, this.noteMode());
    this.draft.set('');
    this.chats.saveDraft(this.chatId(), '');
    this.notice.set(null);
    this.closeList();
    this.sent.emit();
  }

  protected hover(index: number): void {
    this.activeIndex.set(index);
  }

  protected async choose(reply: CannedReply): Promise<void> {
    const box = this.textarea()?.nativeElement;
    if (!box) return;
    const start = this.tokenStart;
    const end = box.selectionStart;
    this.closeList();
    try {
      const filled = await firstValueFrom(this.canned.expand(this.chatId(), reply.shortcut));
      const value = box.value;
      const next = value.slice(0, start) + filled.content + value.slice(end);
      box.value = next;
      const caret = start + filled.content.length;
      box.setSelectionRange(caret, caret);
      box.focus();
      this.draft.set(next);
      this.chats.saveDraft(this.chatId(), next);
      if (!this.noteMode()) this.typing.typed(this.chatId(), next);
      this.notice.set(
        filled.unfilled.length > 0
          ? `Check before sending: ${filled.unfilled.join(', ')} left as written.`
          : null,
      );
    } catch (err) {
      // The server says why: an unknown shortcut, or a text too long once filled in.
      this.notice.set(errorMessage(err, 'Could not fill in that reply.'));
    }
  }

  private updateList(box: HTMLTextAreaElement): void {
    const token = slashToken(box.value, box.selectionStart);
    if (!token) {
      this.closeList();
      return;
    }
    if (token.query !== this.query()) this.activeIndex.set(0);
    this.tokenStart = token.start;
    this.query.set(token.query);
    void this.loadReplies();
  }

  private closeList(): void {
    this.query.set(null);
    this.activeIndex.set(0);
  }

  private async loadReplies(): Promise<void> {
    if (this.repliesRequested) return;
    this.repliesRequested = true;
    try {
      this.replies.set(await firstValueFrom(this.canned.list()));
    } catch {
      // Asked again the next time the agent types a slash.
      this.repliesRequested = false;
      this.replies.set([]);
    }
  }

  private scrollActiveIntoView(): void {
    afterNextRender(
      () => {
        const id = this.activeId();
        if (id) document.getElementById(id)?.scrollIntoView?.({ block: 'nearest' });
      },
      { injector: this.injector },
    );
  }
}
