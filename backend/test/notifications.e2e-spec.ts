import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import Redis from 'ioredis';
import type { SupportChat } from '../src/contracts/wire';
import { NOTIFY_QUEUE, type NotifyJobData } from '../src/notifications/notification-queue';
import { NotifyScheduler } from '../src/notifications/notify-scheduler.service';
import { ReplyNotifier } from '../src/notifications/reply-notifier.service';
import { TestSmtp } from './support/smtp';
import { startTestApp, type TestApp } from './support/test-app';

const DELAY = 1200;

describe('unread-reply emails (e2e)', () => {
  const smtp = new TestSmtp();
  let t: TestApp;
  let admin: string;
  let queue: Queue;

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    t = await startTestApp({
      SMTP_URL: smtpUrl,
      NOTIFY_DELAY_MS: String(DELAY),
      NOTIFY_RETRY_DELAY_MS: '100',
      NOTIFY_SWEEP_INTERVAL_MS: '400',
      APP_NAME: 'Acme',
      APP_URL: 'https://app.acme.test/dashboard',
      PUBLIC_URL: 'https://support.acme.test',
      MAIL_FROM: 'help@acme.test',
    });
    admin = await t.adminToken();
    queue = t.app.get<Queue>(getQueueToken(NOTIFY_QUEUE));
    queue.on('completed', (job: Job<NotifyJobData>, outcome: string) => {
      if (outcome !== 'not-due') jobFinished(job.data.chatId);
    });
    queue.on('failed', (job: Job<NotifyJobData>) => {
      if (job.attemptsMade >= (job.opts.attempts ?? 1)) jobFinished(job.data.chatId);
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  async function newUser(claims: { name?: string; return_url?: string } = {}) {
    const sub = `mail-${Math.random().toString(36).slice(2)}`;
    const email = `${sub}@example.com`;
    const token = t.userToken({ sub, email, ...claims });
    const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
    return { token, email, chatId };
  }
  const reply = async (chatId: string, content: string) =>
    (await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: admin, body: { content } })).body;

  /**
   * Each burst's job reports its outcome when it finishes: a final outcome (sent, nothing to
   * send, cancelled, already done, or given up after the last retry) counts per chat, and a
   * test waits for that count rather than for the delay to pass.
   */
  const finished = new Map<string, number>();
  const waiters: { chatId: string; count: number; resolve: () => void }[] = [];
  function jobFinished(chatId: string): void {
    finished.set(chatId, (finished.get(chatId) ?? 0) + 1);
    for (const w of waiters.splice(0)) {
      if ((finished.get(w.chatId) ?? 0) >= w.count) w.resolve();
      else waiters.push(w);
    }
  }
  function jobsFinished(chatId: string, count: number): Promise<void> {
    if ((finished.get(chatId) ?? 0) >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no finished email job for chat ${chatId}`)), 20_000);
      waiters.push({ chatId, count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
  /** The emails a user got once `jobs` of their chat's email jobs have finished. */
  async function mailsFor(u: { chatId: string; email: string }, jobs = 1) {
    await jobsFinished(u.chatId, jobs);
    return smtp.to(u.email);
  }

  it('sends one email for an unread reply, with the preview and both links', async () => {
    const u = await newUser({ name: 'Ada' });
    const long = `<img src=x onerror=alert(1)> ${'long text '.repeat(40)}`;
    await reply(u.chatId, long);
    const [mail, ...extra] = await mailsFor(u);
    expect(extra).toEqual([]);
    expect(mail.subject).toBe('New reply from Acme Support');
    expect(mail.from?.text).toBe('help@acme.test');
    expect(mail.text).toContain('Hi Ada');
    const expectedPreview = `${Array.from(long).slice(0, 199).join('')}…`;
    expect(mail.text).toContain(expectedPreview);
    expect(mail.text).not.toContain(long);
    expect(mail.html).toContain('&lt;img src');
    expect(mail.html).not.toContain('<img');
    expect(mail.text).toContain('Open the chat: https://app.acme.test/dashboard');
    const unsubscribe = /https:\/\/support\.acme\.test\/api\/unsubscribe\?token=[\w.%-]+/.exec(mail.text ?? '')?.[0];
    expect(unsubscribe).toBeDefined();
    expect(String(mail.headers.get('list-unsubscribe') ?? JSON.stringify(mail.headers.get('list')))).toContain(
      'support.acme.test/api/unsubscribe',
    );
  });

  it('links back to the return_url the host signed for the user', async () => {
    const u = await newUser({ return_url: 'https://shop.acme.test/orders/7' });
    await reply(u.chatId, 'Your order shipped');
    const [mail] = await mailsFor(u);
    expect(mail.text).toContain('Open the chat: https://shop.acme.test/orders/7');
  });

  it('sends nothing when the user reads the reply before the delay', async () => {
    const u = await newUser();
    await reply(u.chatId, 'read me');
    await t.http('/api/support_chat/mark_read', { method: 'PATCH', token: u.token });
    expect(await mailsFor(u)).toEqual([]);
  });

  it('sends nothing when the chat is archived before the delay', async () => {
    const u = await newUser();
    await t.http('/api/support_chat/messages', { method: 'POST', token: u.token, body: { content: 'thanks, solved' } });
    await reply(u.chatId, 'glad to help');
    await t.http(`/api/admin/chats/${u.chatId}/archive`, { method: 'POST', token: admin });
    expect(await mailsFor(u)).toEqual([]);
  });

  it('sends one email for three quick replies, listing them', async () => {
    const u = await newUser();
    for (const content of ['first', 'second', 'third']) await reply(u.chatId, content);
    const mails = await mailsFor(u);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toMatch(/first[\s\S]*second[\s\S]*third/);
  });

  it('stops after the user follows the unsubscribe link', async () => {
    const u = await newUser();
    await reply(u.chatId, 'one');
    const [mail] = await mailsFor(u);
    const link = /https:\/\/support\.acme\.test(\/api\/unsubscribe\?token=[\w.%-]+)/.exec(mail.text ?? '')?.[1] as string;
    const page = await t.http(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain("You're unsubscribed");
    expect((await t.http('/api/unsubscribe?token=forged')).status).toBe(400);
    await reply(u.chatId, 'two');
    expect(await mailsFor(u, 2)).toHaveLength(1);
  });

  it('retries an SMTP server that refuses twice, then sends exactly one', async () => {
    const u = await newUser();
    smtp.refuseNext = 2;
    const refusedBefore = smtp.refused;
    await reply(u.chatId, 'are you there?');
    const mails = await mailsFor(u);
    expect(smtp.refused - refusedBefore).toBe(2);
    expect(mails).toHaveLength(1);
  });

  it('still sends after Redis loses the job, once the sweep runs', async () => {
    const u = await newUser();
    await reply(u.chatId, 'survives a flush');
    // Flush this deployment's keys (others share the Redis of this machine).
    const redis = new Redis(t.config.redisUrl);
    const keys = await redis.keys(`${t.config.redisPrefix}:bull:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    await redis.quit();
    const mails = await mailsFor(u);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain('survives a flush');
  });

  it('sends once when the same job is processed twice at once, and again later', async () => {
    const u = await newUser();
    await reply(u.chatId, 'exactly once');
    // Let the real job run first, then process the same burst twice more by hand.
    await mailsFor(u);
    const notifier = t.app.get(ReplyNotifier);
    await Promise.allSettled([notifier.process(u.chatId, false), notifier.process(u.chatId, false)]);
    await t.app.get(NotifyScheduler).sweep();
    expect(await mailsFor(u)).toHaveLength(1);
  });

  it('lets only one of two concurrent workers send a due burst', async () => {
    const u = await newUser();
    const scheduler = t.app.get(NotifyScheduler);
    // Pause the queue so only the hand-run workers below can process this burst.
    await queue.pause(true, true);
    try {
      await reply(u.chatId, 'racing workers');
      const notifier = t.app.get(ReplyNotifier);
      // Until the burst is due by the server's own reckoning, so neither worker finds it early.
      for (let due = await notifier.firstUncovered(u.chatId); due && due.dueInMs > 0; due = await notifier.firstUncovered(u.chatId)) {
        await new Promise((r) => setTimeout(r, due?.dueInMs));
      }
      const outcomes = await Promise.allSettled([notifier.process(u.chatId, false), notifier.process(u.chatId, false)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled' && o.value.kind === 'sent')).toHaveLength(1);
    } finally {
      await queue.resume(true);
    }
    await scheduler.sweep();
    expect(await mailsFor(u)).toHaveLength(1);
  });
});
