import type { DataSource } from 'typeorm';
import type { AgentDirectory } from '../auth/agent-directory.service';
import { ChatEvents, type ChatEvent } from '../common/chat-events';
import type { Sql } from '../database/sql.service';
import { MessagesService, type NewMessage } from './messages.service';

/** A send function whose answers the test lets through one by one, in the order it chooses. */
function deferredSql() {
  const pending: { count: number; resolve: (rows: unknown[]) => void }[] = [];
  let count = 0;
  const sql = {
    run: () =>
      new Promise<unknown[]>((resolve) => {
        pending.push({ count: ++count, resolve });
      }),
  } as unknown as Sql;
  const answer = (n: number) => {
    const at = pending.findIndex((p) => p.count === n);
    const [p] = pending.splice(at, 1);
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, n));
    p.resolve([
      {
        id: `m${n}`, chat_id: 'c1', content: `message ${n}`, sender_type: 'user', read_at: null, created_at: t,
        client_id: null, admin_id: null, sender_name: null, private: false, created: true, user_id: 'u1',
        user_email: 'u@example.com', user_name: null, message_count: n, archived: false, unread: true,
        assignee_id: null, reopened: false, labels: [], last_message_at: t, last_message_preview: `message ${n}`,
        last_message_sender: 'user', last_message_admin_id: null, last_message_sender_name: null,
      },
    ]);
  };
  return { sql, answer, waiting: () => pending.length };
}

const input: NewMessage = { chatId: 'c1', senderType: 'user', adminId: null, senderName: null, content: 'x', clientId: null };

describe('MessagesService ordered relay', () => {
  it('answers a send held behind an earlier one only after relaying it, and relays in lock order', async () => {
    const { sql, answer, waiting } = deferredSql();
    const events = new ChatEvents();
    const relayed: string[] = [];
    events.events$.subscribe((e: ChatEvent) => {
      if (e.kind === 'message_created') relayed.push(e.message.id);
    });
    const service = new MessagesService({} as DataSource, sql, events, { ref: () => null } as unknown as AgentDirectory);
    const answered: string[] = [];
    const first = service.send(input).then((r) => answered.push(r.message.id));
    const second = service.send(input).then((r) => answered.push(r.message.id));
    await new Promise((r) => setImmediate(r));
    expect(waiting()).toBe(2);

    // The later one in lock order answers first: it may neither be relayed nor acknowledged yet.
    answer(2);
    await new Promise((r) => setImmediate(r));
    expect(relayed).toEqual([]);
    expect(answered).toEqual([]);

    answer(1);
    await Promise.all([first, second]);
    expect(relayed).toEqual(['m1', 'm2']);
    expect(answered.sort()).toEqual(['m1', 'm2']);
  });

  it('answers a lone send as soon as it is relayed', async () => {
    const { sql, answer } = deferredSql();
    const events = new ChatEvents();
    const relayed: string[] = [];
    events.events$.subscribe((e: ChatEvent) => {
      if (e.kind === 'message_created') relayed.push(e.message.id);
    });
    const service = new MessagesService({} as DataSource, sql, events, { ref: () => null } as unknown as AgentDirectory);
    const sent = service.send(input);
    await new Promise((r) => setImmediate(r));
    answer(1);
    expect((await sent).message.id).toBe('m1');
    expect(relayed).toEqual(['m1']);
  });
});
