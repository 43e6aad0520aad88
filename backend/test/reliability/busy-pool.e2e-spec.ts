import { Client } from 'pg';
import type { SupportChat } from '../../src/contracts/wire';
import { waitFor } from '../support/instances';
import { PG, startTestApp, type TestApp } from '../support/test-app';

const POOL = 2;

/**
 * Readiness under a burst that has every pooled connection busy: slow is not dead. A check that
 * queued behind the burst would time out, and a load balancer would pull a healthy instance and
 * move its burst onto the others.
 */
describe('Readiness with a busy connection pool (e2e)', () => {
  let t: TestApp;
  let db: Client;

  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: String(POOL) });
    db = new Client({ connectionString: `${PG}/${t.database}` });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('stays ready while every pooled connection waits on a lock, and the sends finish once it is released', async () => {
    const token = t.userToken();
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    expect((await t.http('/api/health/ready')).status).toBe(200);

    await db.query('BEGIN');
    await db.query('SELECT id FROM support_chats WHERE id = $1 FOR UPDATE', [chatId]);
    const sends = Array.from({ length: POOL * 2 }, (_, i) =>
      t.http('/api/support_chat/messages', { method: 'POST', token, body: { content: `queued ${i}`, client_id: `busy-${i}` } }),
    );
    try {
      // Every connection of the pool is taken by a send waiting for the chat's lock.
      await waitFor('the pool to be taken by waiting sends', async () => {
        // Inside a transaction pg_stat_activity is a snapshot taken once: clear it for each look.
        await db.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await db.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
          [t.database],
        );
        return Number(rows[0].n) === POOL;
      });
      const ready = await t.http<{ details: Record<string, unknown> }>('/api/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details.database).toEqual({ status: 'up' });
    } finally {
      await db.query('COMMIT');
    }
    const answers = await Promise.all(sends);
    expect(answers.map((a) => a.status)).toEqual(Array(POOL * 2).fill(201));
  });
});
