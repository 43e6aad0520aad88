import { describe, expect, it } from 'vitest';
import { newClientId } from '../src/internal/ids.js';
import { MessageStore } from '../src/internal/message-store.js';
import { Outbox } from '../src/internal/outbox.js';
import { en, registerLocale, resolveStrings } from '../src/internal/strings.js';
import { readClaims } from '../src/internal/token.js';
import type { SupportMessage } from '../src/internal/types.js';
import { MemoryStorage, fakeJwt } from './fake-backend.js';

const msg = (id: string, created_at: string, extra: Partial<SupportMessage> = {}): SupportMessage => ({
  id,
  chat_id: 'c',
  content: id,
  sender_type: 'user',
  sender_name: null,
  read_at: null,
  created_at,
  client_id: null,
  ...extra,
});

describe('MessageStore', () => {
  it('orders by created_at then id and keeps each id once', () => {
    const store = new MessageStore();
    const t1 = '2026-01-01T00:00:01.000Z';
    const t2 = '2026-01-01T00:00:02.000Z';
    expect(store.merge([msg('b', t2), msg('a', t2)]).map((m) => m.id)).toEqual(['a', 'b']);
    expect(store.merge([msg('a', t2), msg('z', t1)]).map((m) => m.id)).toEqual(['z']);
    expect(store.messages.map((m) => m.id)).toEqual(['z', 'a', 'b']);
    expect(store.first?.id).toBe('z');
    expect(store.last?.id).toBe('b');
  });

  it('takes a later read_at for a known message without adding it again', () => {
    const store = new MessageStore();
    store.merge([msg('a', '2026-01-01T00:00:01.000Z', { sender_type: 'admin' })]);
    expect(store.unreadFrom('admin')).toBe(1);
    expect(store.merge([msg('a', '2026-01-01T00:00:01.000Z', { sender_type: 'admin', read_at: '2026-01-01T00:00:05.000Z' })])).toEqual([]);
    expect(store.unreadFrom('admin')).toBe(0);
    expect(store.size).toBe(1);
  });

  it('marks read only the messages picked', () => {
    const store = new MessageStore();
    store.merge([
      msg('a', '2026-01-01T00:00:01.000Z', { sender_type: 'admin' }),
      msg('b', '2026-01-01T00:00:03.000Z', { sender_type: 'admin' }),
      msg('c', '2026-01-01T00:00:02.000Z'),
    ]);
    expect(store.markRead('admin', '2026-01-01T00:00:02.000Z', (m) => m.created_at <= '2026-01-01T00:00:02.000Z')).toBe(1);
    expect(store.unreadFrom('admin')).toBe(1);
    expect(store.unreadFrom('user')).toBe(1);
  });
});

describe('Outbox', () => {
  it('keeps each user apart and survives a new instance', () => {
    const storage = new MemoryStorage();
    const a = new Outbox(storage);
    a.load('srv|u1');
    a.add({ client_id: '1', content: 'one', created_at: 't' });
    const b = new Outbox(storage);
    b.load('srv|u2');
    expect(b.pending).toEqual([]);
    b.load('srv|u1');
    expect(b.pending.map((p) => p.content)).toEqual(['one']);
    b.markFailed('1');
    expect(b.unsent).toEqual([]);
    expect(b.remove('1')).toBe(true);
    expect(storage.data.size).toBe(0);
  });

  it('ignores corrupt entries and storage that throws', () => {
    const storage = new MemoryStorage();
    storage.setItem('support-chat:outbox:k', JSON.stringify([{ client_id: 1 }, { client_id: 'x', content: 'ok', created_at: 't' }]));
    const box = new Outbox(storage);
    box.load('k');
    expect(box.pending.map((p) => p.client_id)).toEqual(['x']);
    storage.setItem('support-chat:outbox:k', '{not json');
    box.load('k');
    expect(box.pending).toEqual([]);
    const throwing = new Outbox({
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
      removeItem: () => undefined,
    });
    throwing.load('k');
    throwing.add({ client_id: 'y', content: 'kept in memory', created_at: 't' });
    expect(throwing.pending).toHaveLength(1);
  });
});

describe('readClaims', () => {
  it('reads sub, email and name, including non-ASCII, and rejects junk', () => {
    expect(readClaims(fakeJwt({ sub: 'u1', email: 'a@b.c', name: 'Zoë' }))).toEqual({
      sub: 'u1',
      email: 'a@b.c',
      name: 'Zoë',
      exp: undefined,
    });
    expect(readClaims('nope')).toBeNull();
    expect(readClaims('a.!!!.c')).toBeNull();
  });
});

describe('strings', () => {
  it('falls back from exact locale to language to English, then applies overrides', () => {
    registerLocale('de', { send: 'Senden', title: 'Hilfe' });
    registerLocale('de-CH', { title: 'Hilfe (CH)' });
    const s = resolveStrings('de-CH', { placeholder: 'Schreiben…' });
    expect(s.title).toBe('Hilfe (CH)');
    expect(s.send).toBe('Senden');
    expect(s.placeholder).toBe('Schreiben…');
    expect(s.openChat).toBe(en.openChat);
    expect(resolveStrings(undefined, undefined).unread(3)).toBe('3 unread messages');
  });
});

describe('newClientId', () => {
  it('makes distinct v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 200 }, newClientId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('source safety', () => {
  it('never renders through innerHTML, outerHTML, insertAdjacentHTML or unsafeHTML', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    // happy-dom replaces the global URL, so paths are built with node:path.
    const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'internal');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|unsafeHTML|unsafeSVG|document\.write/);
    }
  });
});
