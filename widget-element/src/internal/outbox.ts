import type { PendingMessage } from './types.js';

/** The part of Web Storage the outbox uses, so tests and private-mode failures can stand in. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function isPending(value: unknown): value is PendingMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.client_id === 'string' &&
    typeof v.content === 'string' &&
    typeof v.created_at === 'string' &&
    (v.failed === undefined || typeof v.failed === 'boolean')
  );
}

/**
 * Messages typed but not yet confirmed, kept in storage per server and user so that neither a
 * lost connection nor a reload of the page loses them, and another user signing in on the same
 * browser does not send them.
 */
export class Outbox {
  private items: PendingMessage[] = [];
  private key: string | null = null;

  constructor(private readonly storage: KeyValueStorage | null) {}

  /** Switches to the outbox of another user (or none, when `userKey` is null) and loads it. */
  load(userKey: string | null): void {
    this.key = userKey === null ? null : `support-chat:outbox:${userKey}`;
    this.items = [];
    if (this.key === null || this.storage === null) return;
    try {
      const raw = this.storage.getItem(this.key);
      const parsed: unknown = raw === null ? [] : JSON.parse(raw);
      if (Array.isArray(parsed)) this.items = parsed.filter(isPending);
    } catch {
      // Corrupt or unreadable storage must not stop the chat; start with an empty outbox.
      this.items = [];
    }
  }

  get pending(): readonly PendingMessage[] {
    return this.items;
  }

  /** Those still to be sent, oldest first. */
  get unsent(): PendingMessage[] {
    return this.items.filter((m) => !m.failed);
  }

  add(message: PendingMessage): void {
    this.items = [...this.items, message];
    this.save();
  }

  remove(clientId: string): boolean {
    const before = this.items.length;
    this.items = this.items.filter((m) => m.client_id !== clientId);
    if (this.items.length === before) return false;
    this.save();
    return true;
  }

  markFailed(clientId: string): void {
    this.items = this.items.map((m) => (m.client_id === clientId ? { ...m, failed: true } : m));
    this.save();
  }

  private save(): void {
    if (this.key === null || this.storage === null) return;
    try {
      if (this.items.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(this.items));
    } catch {
      // A full or blocked storage only costs persistence across reloads; the memory copy stays.
    }
  }
}
