import { DOCUMENT, DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { firstValueFrom } from 'rxjs';
import { NewUserMessageEvent, SupportChatListItem } from '../core/api.types';
import { ChatsApi } from '../core/chats-api.service';
import { SocketService } from '../core/socket.service';
import { appendPage, insertSorted } from './chat-order';

export type Tab = 'active' | 'archived';

export interface TabState {
  items: SupportChatListItem[];
  nextCursor: string | null;
  loaded: boolean;
  loading: boolean;
  error: boolean;
}

const EMPTY: TabState = {
  items: [],
  nextCursor: null,
  loaded: false,
  loading: false,
  error: false,
};
const PREVIEW_LENGTH = 100;

/**
 * Both chat lists and everything that changes them: pages from REST, live changes from the
 * agents' room, and a full refetch after a reconnect (events sent while offline are gone).
 * Pages are read only once the agents' room is joined, so no change falls between the two.
 * Provided by the chats shell, so it lives exactly as long as the agent is logged in.
 */
@Injectable()
export class ChatsStore {
  private readonly api = inject(ChatsApi);
  private readonly socket = inject(SocketService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly document = inject(DOCUMENT);
  private readonly tabs = {
    active: signal<TabState>(EMPTY),
    archived: signal<TabState>(EMPTY),
  };
  // A reload replaces pages in flight; their late answers must not land on top.
  private generation = 0;
  // Live changes that arrive while a first page is in flight are replayed over it, in order:
  // the page may have been read before they happened.
  private firstPagesInFlight = 0;
  private replay: SupportChatListItem[] = [];
  // Unsent replies per chat, so Escape or a look at another chat does not throw them away.
  private readonly drafts = new Map<string, string>();
  // The first join of the agents' room; after a reconnect, reload() runs once it is joined again.
  private readonly adminRoomJoined: Promise<unknown>;

  readonly active = this.tabs.active.asReadonly();
  readonly archived = this.tabs.archived.asReadonly();
  /** The card the keyboard points at; kept here so it survives opening a chat and coming back. */
  readonly selectedId = signal<string | null>(null);
  /** The tab the agent last looked at, for the chat view's back link; null before any. */
  readonly lastTab = signal<Tab | null>(null);
  /** The chat open on screen, if any: its new messages are seen as they arrive. */
  readonly openChatId = signal<string | null>(null);

  readonly unreadCount = computed(() => {
    const ids = new Set<string>();
    for (const chat of [...this.active().items, ...this.archived().items]) {
      if (chat.unread) ids.add(chat.id);
    }
    return ids.size;
  });

  constructor() {
    this.socket
      .on('chat_updated')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((event) => this.upsert(event.chat));
    this.socket
      .on('new_user_message')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((event) => this.applyUserMessage(event));
    // Announced only after the agents' room is joined again.
    this.socket.reconnected$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.reload());
    this.adminRoomJoined = this.socket.joinAdminRoom();
  }

  draftFor(chatId: string): string {
    return this.drafts.get(chatId) ?? '';
  }

  saveDraft(chatId: string, text: string): void {
    if (text) this.drafts.set(chatId, text);
    else this.drafts.delete(chatId);
  }

  state(tab: Tab): TabState {
    return this.tabs[tab]();
  }

  find(chatId: string): SupportChatListItem | undefined {
    return (
      this.active().items.find((c) => c.id === chatId) ??
      this.archived().items.find((c) => c.id === chatId)
    );
  }

  async ensureLoaded(tab: Tab): Promise<void> {
    const state = this.tabs[tab]();
    if (state.loaded || state.loading) return;
    this.tabs[tab].update((s) => ({ ...s, loading: true, error: false }));
    // Whatever the join's answer: without the room the list is still worth showing, and the
    // next reconnect joins again and reloads.
    await this.adminRoomJoined;
    await this.fetchPage(tab, null, this.generation);
  }

  async loadMore(tab: Tab): Promise<void> {
    const state = this.tabs[tab]();
    if (!state.loaded || state.loading || !state.nextCursor) return;
    await this.fetchPage(tab, state.nextCursor, this.generation);
  }

  /** Starts both loaded tabs over from their first page. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    // A tab whose first page is in flight is read again too: the new generation drops it.
    const tabs = (['active', 'archived'] as const).filter(
      (t) => this.tabs[t]().loaded || this.tabs[t]().loading || t === 'active',
    );
    for (const tab of tabs) this.tabs[tab].update((s) => ({ ...s, loading: false }));
    await Promise.all(tabs.map((tab) => this.fetchPage(tab, null, generation)));
  }

  async setArchived(chatId: string, archived: boolean): Promise<SupportChatListItem> {
    const item = await firstValueFrom(this.api.setArchived(chatId, archived));
    this.upsert(item);
    return item;
  }

  /** Optimistic: the server records the view when the chat is fetched and confirms via chat_updated. */
  markViewed(chatId: string): void {
    for (const tab of ['active', 'archived'] as const) {
      this.tabs[tab].update((s) => ({
        ...s,
        items: s.items.map((c) => (c.id === chatId && c.unread ? { ...c, unread: false } : c)),
      }));
    }
  }

  /** Places the server's current view of a chat in the tab it belongs to. */
  upsert(incoming: SupportChatListItem): void {
    if (this.firstPagesInFlight > 0) this.replay.push(incoming);
    // The open chat's view is recorded on the server a moment later; meanwhile the agent is
    // reading it, so it must not flash unread in the list and the tab title.
    const item =
      incoming.unread && this.isOnScreen(incoming.id) ? { ...incoming, unread: false } : incoming;
    const target: Tab = item.archived ? 'archived' : 'active';
    const other: Tab = item.archived ? 'active' : 'archived';
    this.tabs[other].update((s) => ({ ...s, items: s.items.filter((c) => c.id !== item.id) }));
    this.tabs[target].update((s) => {
      // A tab never fetched yet will get the chat with its first page.
      if (!s.loaded) return s;
      return { ...s, items: insertSorted(s.items, item, s.nextCursor !== null) };
    });
  }

  private applyUserMessage(event: NewUserMessageEvent): void {
    // chat_updated carries the authoritative item; this only bridges the moment between the
    // two events, and only when the message is newer than what the card shows.
    const current = this.find(event.chat_id);
    if (!current) return;
    const shown = current.last_message_at ? Date.parse(current.last_message_at) : -Infinity;
    if (Date.parse(event.message.created_at) <= shown) return;
    this.upsert({
      ...current,
      last_message_at: event.message.created_at,
      last_message_preview: event.message.content.slice(0, PREVIEW_LENGTH),
      last_message_sender: 'user',
      message_count: current.message_count + 1,
      unread: true,
      // A user message brings an archived chat back.
      archived: false,
    });
  }

  private isOnScreen(chatId: string): boolean {
    return this.openChatId() === chatId && this.document.visibilityState === 'visible';
  }

  private finishFirstPage(): void {
    this.firstPagesInFlight--;
    if (this.firstPagesInFlight > 0) return;
    const replay = this.replay;
    this.replay = [];
    for (const item of replay) this.upsert(item);
  }

  private async fetchPage(tab: Tab, cursor: string | null, generation: number): Promise<void> {
    this.tabs[tab].update((s) => ({ ...s, loading: true, error: false }));
    const firstPage = cursor === null;
    if (firstPage) this.firstPagesInFlight++;
    try {
      const page = await firstValueFrom(this.api.list(tab === 'archived', cursor));
      if (generation !== this.generation) return;
      this.tabs[tab].update((s) => ({
        items: firstPage ? appendPage([], page.items) : appendPage(s.items, page.items),
        nextCursor: page.next_cursor,
        loaded: true,
        loading: false,
        error: false,
      }));
    } catch {
      if (generation !== this.generation) return;
      this.tabs[tab].update((s) => ({ ...s, loading: false, error: true }));
    } finally {
      if (firstPage) this.finishFirstPage();
    }
  }
}
