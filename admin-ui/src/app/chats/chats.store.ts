import { DOCUMENT, DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { firstValueFrom } from 'rxjs';
import { NewUserMessageEvent, SupportChatListItem } from '../core/api.types';
import { AuthService } from '../core/auth.service';
import { ChatsApi, ListFilter } from '../core/chats-api.service';
import { SocketService } from '../core/socket.service';
import { appendPage, insertSorted } from './chat-order';

export type Tab = 'active' | 'archived';
/** Whose chats a list shows: everyone's, the signed-in agent's, or nobody's yet. */
export type AssigneeFilter = 'all' | 'me' | 'none';

/** One list on screen: a tab narrowed by assignee and label. Each is paged on its own. */
export interface ListView {
  tab: Tab;
  assignee: AssigneeFilter;
  label: string | null;
}

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
/** How long a "typing…" lasts on a card without a repeat: the contract's expiry. */
export const TYPING_TTL_MS = 6_000;

export function listView(view: Partial<ListView> & { tab: Tab }): ListView {
  return { assignee: 'all', label: null, ...view };
}

function viewKey(view: ListView): string {
  // The label goes last: it is the only part that may contain the separator.
  return `${view.tab}|${view.assignee}|${view.label ?? ''}`;
}

function parseKey(key: string): ListView {
  const [tab, assignee, ...label] = key.split('|');
  return { tab: tab as Tab, assignee: assignee as AssigneeFilter, label: label.join('|') || null };
}

/** Whether a chat as the server now describes it belongs in a list. */
export function belongsIn(
  view: ListView,
  chat: SupportChatListItem,
  me: string | null | undefined,
): boolean {
  if (chat.archived !== (view.tab === 'archived')) return false;
  if (view.assignee === 'none' && chat.assignee) return false;
  if (view.assignee === 'me' && (!me || chat.assignee?.id !== me)) return false;
  if (view.label && !(chat.labels ?? []).includes(view.label)) return false;
  return true;
}

/** Who is typing in a chat, as the card shows it. */
export interface TypingState {
  name: string | null;
}

/**
 * Every chat list the agent has looked at (a tab narrowed by assignee and label), and everything
 * that changes them: pages from REST, live changes from the agents' room, and a full refetch
 * after a reconnect (events sent while offline are gone). A live change is placed in every list
 * it belongs to and taken out of every other, so a chat assigned to someone else leaves "Mine".
 * Pages are read only once the agents' room is joined, so no change falls between the two.
 * Provided by the shell, so it lives exactly as long as the agent is logged in.
 */
@Injectable()
export class ChatsStore {
  private readonly api = inject(ChatsApi);
  private readonly socket = inject(SocketService);
  private readonly auth = inject(AuthService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly document = inject(DOCUMENT);
  /** Each list by its view key; lists are kept (and kept live) once fetched. */
  private readonly lists = signal<Readonly<Record<string, TabState>>>({});
  // A reload replaces pages in flight; their late answers must not land on top.
  private generation = 0;
  // Live changes that arrive while a first page is in flight are replayed over it, in order:
  // the page may have been read before they happened.
  private firstPagesInFlight = 0;
  private replay: SupportChatListItem[] = [];
  /** The newest version of each chat this console has seen. */
  private readonly versions = new Map<string, number>();
  // Unsent replies per chat, so Escape or a look at another chat does not throw them away.
  private readonly drafts = new Map<string, string>();
  // The first join of the agents' room; after a reconnect, reload() runs once it is joined again.
  private readonly adminRoomJoined: Promise<unknown>;
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly typingNow = signal<ReadonlyMap<string, TypingState>>(new Map());

  readonly active = computed(() => this.state('active'));
  readonly archived = computed(() => this.state('archived'));
  /** The card the keyboard points at; kept here so it survives opening a chat and coming back. */
  readonly selectedId = signal<string | null>(null);
  /** The tab the agent last looked at, for the chat view's back link; null before any. */
  readonly lastTab = signal<Tab | null>(null);
  /** The chat open on screen, if any: its new messages are seen as they arrive. */
  readonly openChatId = signal<string | null>(null);
  /** Users typing now, by chat id: cleared by a stop, their message, or 6 s of silence. */
  readonly typing = this.typingNow.asReadonly();

  readonly unreadCount = computed(() => {
    const ids = new Set<string>();
    for (const list of Object.values(this.lists())) {
      for (const chat of list.items) if (chat.unread) ids.add(chat.id);
    }
    return ids.size;
  });

  constructor() {
    this.socket
      .on('chat_updated')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((event) => this.upsert(event.chat));
    // Erased with its user, or deleted by retention.
    this.socket
      .on('chat_removed')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(({ chat_ids }) => this.remove(new Set(chat_ids)));
    this.socket
      .on('new_user_message')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((event) => {
        this.setTyping(event.chat_id, null);
        this.applyUserMessage(event);
      });
    // chat_updated carries the whole item too; this keeps the card right whichever comes first.
    this.socket
      .on('chat_activity')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(({ activity }) => {
        const current = this.find(activity.chat_id);
        // An "unassigned" line names whom the chat was taken from: its assignee is now nobody.
        const assignee = activity.kind === 'unassigned' ? null : activity.assignee;
        if (current) this.upsert({ ...current, assignee });
      });
    this.socket
      .on('typing')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe((event) => {
        // Only the customer's typing belongs on a card; agents see each other's in the chat.
        if (event.sender_type !== 'user') return;
        this.setTyping(event.chat_id, event.typing ? { name: event.sender_name } : null);
      });
    // Chats carry label names: a rename or deletion in the catalogue changes the cards held
    // here, and a list filtered by the old name is dropped (the list moves to the new name).
    this.socket
      .on('labels_changed')
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(({ renamed, deleted }) => {
        const gone = renamed?.from ?? deleted;
        if (gone) this.relabel(gone, renamed?.to ?? null);
      });
    // Announced only after the agents' room is joined again.
    this.socket.reconnected$
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.reload());
    this.adminRoomJoined = this.socket.joinAdminRoom();
    this.destroyRef.onDestroy(() => {
      for (const timer of this.typingTimers.values()) clearTimeout(timer);
    });
  }

  draftFor(chatId: string): string {
    return this.drafts.get(chatId) ?? '';
  }

  saveDraft(chatId: string, text: string): void {
    if (text) this.drafts.set(chatId, text);
    else this.drafts.delete(chatId);
  }

  /** A list's state; a tab alone means the whole tab, unfiltered. */
  state(view: ListView | Tab): TabState {
    return this.lists()[viewKey(asView(view))] ?? EMPTY;
  }

  find(chatId: string): SupportChatListItem | undefined {
    for (const list of Object.values(this.lists())) {
      const chat = list.items.find((c) => c.id === chatId);
      if (chat) return chat;
    }
    return undefined;
  }

  async ensureLoaded(view: ListView | Tab): Promise<void> {
    const key = viewKey(asView(view));
    const state = this.lists()[key] ?? EMPTY;
    if (state.loaded || state.loading) return;
    this.patch(key, { loading: true, error: false });
    // Whatever the join's answer: without the room the list is still worth showing, and the
    // next reconnect joins again and reloads.
    await this.adminRoomJoined;
    await this.fetchPage(key, null, this.generation);
  }

  async loadMore(view: ListView | Tab): Promise<void> {
    const key = viewKey(asView(view));
    const state = this.lists()[key] ?? EMPTY;
    if (!state.loaded || state.loading || !state.nextCursor) return;
    await this.fetchPage(key, state.nextCursor, this.generation);
  }

  /** Starts every fetched list over from its first page, and the Active tab in any case. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const base = viewKey(listView({ tab: 'active' }));
    // A list whose first page is in flight is read again too: the new generation drops it.
    const keys = Object.entries(this.lists())
      .filter(([, s]) => s.loaded || s.loading)
      .map(([key]) => key);
    if (!keys.includes(base)) keys.push(base);
    for (const key of keys) this.patch(key, { loading: false });
    await Promise.all(keys.map((key) => this.fetchPage(key, null, generation)));
  }

  async setArchived(chatId: string, archived: boolean): Promise<SupportChatListItem> {
    const item = await firstValueFrom(this.api.setArchived(chatId, archived));
    this.upsert(item);
    return item;
  }

  /** Optimistic: the server records the view when the chat is fetched and confirms via chat_updated. */
  markViewed(chatId: string): void {
    this.lists.update((lists) =>
      mapLists(lists, (s) => ({
        ...s,
        items: s.items.map((c) => (c.id === chatId && c.unread ? { ...c, unread: false } : c)),
      })),
    );
  }

  /** Places the server's current view of a chat in every list it belongs to, and no other. */
  upsert(incoming: SupportChatListItem): void {
    // An item read before a change can arrive after it (an archive's answer overtaken by the
    // reply that reopened the chat): the version says which is newer.
    if (!this.isCurrent(incoming)) return;
    if (this.firstPagesInFlight > 0) this.replay.push(incoming);
    // The open chat's view is recorded on the server a moment later; meanwhile the agent is
    // reading it, so it must not flash unread in the list and the tab title.
    const item =
      incoming.unread && this.isOnScreen(incoming.id) ? { ...incoming, unread: false } : incoming;
    const me = this.auth.admin()?.id;
    this.lists.update((lists) => {
      const next: Record<string, TabState> = {};
      for (const [key, s] of Object.entries(lists)) {
        if (!belongsIn(parseKey(key), item, me)) {
          next[key] = s.items.some((c) => c.id === item.id)
            ? { ...s, items: s.items.filter((c) => c.id !== item.id) }
            : s;
        } else {
          // A list never fetched yet will get the chat with its first page.
          next[key] = s.loaded
            ? { ...s, items: insertSorted(s.items, item, s.nextCursor !== null) }
            : s;
        }
      }
      return next;
    });
  }

  private relabel(from: string, to: string | null): void {
    const rename = (labels: string[]): string[] => {
      if (!labels.includes(from)) return labels;
      const rest = labels.filter((l) => l !== from);
      return to && !rest.includes(to) ? [...rest, to].sort((a, b) => a.localeCompare(b)) : rest;
    };
    this.lists.update((lists) => {
      const next: Record<string, TabState> = {};
      for (const [key, s] of Object.entries(lists)) {
        if (parseKey(key).label === from) continue;
        next[key] = {
          ...s,
          items: s.items.map((c) =>
            c.labels.includes(from) ? { ...c, labels: rename(c.labels) } : c,
          ),
        };
      }
      return next;
    });
  }

  private setTyping(chatId: string, state: TypingState | null): void {
    clearTimeout(this.typingTimers.get(chatId));
    this.typingTimers.delete(chatId);
    if (state) {
      // The sender's repeats keep it alive; silence ends it, as the contract says.
      this.typingTimers.set(
        chatId,
        setTimeout(() => this.setTyping(chatId, null), TYPING_TTL_MS),
      );
    } else if (!this.typingNow().has(chatId)) {
      return;
    }
    this.typingNow.update((now) => {
      const next = new Map(now);
      if (state) next.set(chatId, state);
      else next.delete(chatId);
      return next;
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

  private remove(ids: ReadonlySet<string>): void {
    this.lists.update((lists) =>
      mapLists(lists, (s) =>
        s.items.some((c) => ids.has(c.id))
          ? { ...s, items: s.items.filter((c) => !ids.has(c.id)) }
          : s,
      ),
    );
    // A late item of a removed chat must not bring its card back.
    for (const id of ids) this.versions.set(id, Number.POSITIVE_INFINITY);
  }

  /** Records the newest version seen of each chat; false for an item older than that. */
  private isCurrent(item: SupportChatListItem): boolean {
    const seen = this.versions.get(item.id);
    if (seen !== undefined && item.version < seen) return false;
    this.versions.set(item.id, item.version);
    return true;
  }

  private isOnScreen(chatId: string): boolean {
    return this.openChatId() === chatId && this.document.visibilityState === 'visible';
  }

  private patch(key: string, change: Partial<TabState>): void {
    this.lists.update((lists) => ({ ...lists, [key]: { ...(lists[key] ?? EMPTY), ...change } }));
  }

  private finishFirstPage(): void {
    this.firstPagesInFlight--;
    if (this.firstPagesInFlight > 0) return;
    const replay = this.replay;
    this.replay = [];
    for (const item of replay) this.upsert(item);
  }

  private async fetchPage(key: string, cursor: string | null, generation: number): Promise<void> {
    this.patch(key, { loading: true, error: false });
    const view = parseKey(key);
    const firstPage = cursor === null;
    if (firstPage) this.firstPagesInFlight++;
    try {
      const filter: ListFilter = {};
      if (view.assignee !== 'all') filter.assignee = view.assignee;
      if (view.label) filter.label = view.label;
      const page = await firstValueFrom(this.api.list(view.tab === 'archived', cursor, filter));
      if (generation !== this.generation) return;
      // A page read before a live change holds the chat as it was; the live item is placed already.
      const items = page.items.filter((item) => this.isCurrent(item));
      this.lists.update((lists) => {
        const s = lists[key] ?? EMPTY;
        return {
          ...lists,
          [key]: {
            items: firstPage ? appendPage([], items) : appendPage(s.items, items),
            nextCursor: page.next_cursor,
            loaded: true,
            loading: false,
            error: false,
          },
        };
      });
    } catch {
      if (generation !== this.generation) return;
      this.patch(key, { loading: false, error: true });
    } finally {
      if (firstPage) this.finishFirstPage();
    }
  }
}

function asView(view: ListView | Tab): ListView {
  return typeof view === 'string' ? listView({ tab: view }) : view;
}

function mapLists(
  lists: Readonly<Record<string, TabState>>,
  change: (state: TabState) => TabState,
): Record<string, TabState> {
  const next: Record<string, TabState> = {};
  for (const [key, s] of Object.entries(lists)) next[key] = change(s);
  return next;
}
