import type { SupportMessage } from './types.js';

function compare(a: SupportMessage, b: SupportMessage): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The confirmed messages of one chat, in the contract's order (created_at, then id), each once.
 * Messages reach the widget from four places that overlap (history, catch-up, the socket and
 * send acks), so everything goes through merge() and the id decides.
 */
export class MessageStore {
  private byId = new Map<string, SupportMessage>();
  private ordered: SupportMessage[] = [];

  get messages(): readonly SupportMessage[] {
    return this.ordered;
  }

  get size(): number {
    return this.ordered.length;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The newest message held (not the catch-up cursor: what arrived live may sit past a gap). */
  get last(): SupportMessage | undefined {
    return this.ordered[this.ordered.length - 1];
  }

  /** The oldest message: the `before=` cursor of the history pager. */
  get first(): SupportMessage | undefined {
    return this.ordered[0];
  }

  /** Adds what is new, updates what is known (read_at may have changed); returns the new ones. */
  merge(incoming: readonly SupportMessage[]): SupportMessage[] {
    const added: SupportMessage[] = [];
    let changed = false;
    for (const message of incoming) {
      const known = this.byId.get(message.id);
      if (known) {
        if (known.read_at !== message.read_at && message.read_at !== null) {
          this.replace({ ...known, read_at: message.read_at });
          changed = true;
        }
        continue;
      }
      this.byId.set(message.id, message);
      added.push(message);
    }
    if (added.length > 0) {
      const tail = this.last;
      // Live messages almost always arrive in order; only sort when one does not.
      const inOrder = added.every((m, i) => compare(i === 0 ? (tail ?? m) : added[i - 1], m) <= 0);
      this.ordered = inOrder ? [...this.ordered, ...added] : [...this.ordered, ...added].sort(compare);
      added.sort(compare);
    } else if (changed) {
      this.ordered = [...this.ordered];
    }
    return added;
  }

  /** Sets read_at on the unread messages from `sender` that `which` picks; returns how many. */
  markRead(
    sender: SupportMessage['sender_type'],
    readAt: string,
    which: (message: SupportMessage) => boolean = () => true,
  ): number {
    let count = 0;
    this.ordered = this.ordered.map((m) => {
      if (m.sender_type !== sender || m.read_at !== null || !which(m)) return m;
      count++;
      const read = { ...m, read_at: readAt };
      this.byId.set(m.id, read);
      return read;
    });
    return count;
  }

  unreadFrom(sender: SupportMessage['sender_type']): number {
    let count = 0;
    for (const m of this.ordered) if (m.sender_type === sender && m.read_at === null) count++;
    return count;
  }

  clear(): void {
    this.byId.clear();
    this.ordered = [];
  }

  private replace(message: SupportMessage): void {
    this.byId.set(message.id, message);
    this.ordered = this.ordered.map((m) => (m.id === message.id ? message : m));
  }
}
