import { io } from 'socket.io-client';
import WebSocket from 'ws';
import type {
  AdminSupportChat,
  ChatUpdatedEvent,
  NewMessageEvent,
  NewUserMessageEvent,
  SupportChat,
  SupportChatPage,
  SupportMessage,
} from '../../src/contracts/wire';
import { waitFor } from '../support/instances';
import { TestSmtp } from '../support/smtp';
import { emitAck, nextEvent, startTestApp, type TestApp } from '../support/test-app';
import { agentSays, person, sendOver, userSays } from './hostile-support';

const ALLOWED = 'http://allowed.test';

/** What a page on another site, or a sandboxed frame, would send. */
const FOREIGN_ORIGINS = [
  'https://evil.test',
  'null',
  'https://allowed.test',
  'http://allowed.test.evil.test',
  'http://evil.test/http://allowed.test',
  'http://allowed.test:8080',
];

/** Markup and script a user or a host could smuggle into text. */
const PAYLOADS = [
  '<script>alert(document.cookie)</script>',
  '"><img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">click</a>',
  'javascript:alert(document.domain)',
  '<svg/onload=alert(1)>',
  "{{constructor.constructor('alert(1)')()}}",
  '${alert(1)}',
  '</textarea><iframe src=//evil.test>',
];

describe('the browser side: origins and markup (e2e)', () => {
  const smtp = new TestSmtp();
  let t: TestApp;
  let agentToken: string;

  beforeAll(async () => {
    const smtpUrl = await smtp.start();
    t = await startTestApp({
      ALLOWED_ORIGINS: ALLOWED,
      SMTP_URL: smtpUrl,
      NOTIFY_DELAY_MS: '300',
      NOTIFY_SWEEP_INTERVAL_MS: '60000',
      APP_URL: 'https://app.example.test/help',
      PUBLIC_URL: 'https://support.example.test',
    });
    agentToken = await t.adminToken();
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  describe('a cross-site Origin', () => {
    it.each([['websocket'], ['polling']] as const)('is refused on the %s handshake, and the allowed one is served', async (transport) => {
      const token = t.userToken();
      for (const origin of FOREIGN_ORIGINS) {
        const socket = io(`${t.url}/support`, {
          auth: { token },
          transports: [transport],
          extraHeaders: { origin },
          reconnection: false,
          forceNew: true,
        });
        const outcome = await new Promise<string>((resolve) => {
          socket.once('connect', () => resolve('connected'));
          socket.once('connect_error', () => resolve('refused'));
        });
        socket.close();
        expect({ origin, outcome }).toEqual({ origin, outcome: 'refused' });
      }
      const ok = await t.connect(token, { transports: [transport], extraHeaders: { origin: ALLOWED } });
      expect(ok.connected).toBe(true);
    });

    it('is refused before any Engine.IO session exists, on a raw poll and a raw upgrade', async () => {
      const poll = await fetch(`${t.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.test' } });
      expect(poll.status).toBe(403);
      expect(await poll.text()).not.toContain('"sid"');
      const upgrade = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${t.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { origin: 'https://evil.test' });
        ws.on('open', () => (ws.close(), resolve('opened')));
        ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
        ws.on('error', () => resolve('refused'));
      });
      expect(upgrade).toMatch(/^refused/);
      const allowed = await fetch(`${t.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: ALLOWED } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('"sid"');
    });

    it('gets no CORS grant on REST, so a page elsewhere cannot read answers, while the allowed origin does', async () => {
      const token = t.userToken();
      for (const origin of FOREIGN_ORIGINS) {
        const preflight = await fetch(`${t.url}/api/support_chat/messages`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        });
        expect({ origin, grant: preflight.headers.get('access-control-allow-origin') }).toEqual({ origin, grant: null });
        const simple = await fetch(`${t.url}/api/support_chat`, { headers: { origin, authorization: `Bearer ${token}` } });
        expect({ origin, grant: simple.headers.get('access-control-allow-origin') }).toEqual({ origin, grant: null });
        expect(simple.headers.get('access-control-allow-credentials')).toBeNull();
      }
      const allowed = await fetch(`${t.url}/api/support_chat`, { headers: { origin: ALLOWED, authorization: `Bearer ${token}` } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    });
  });

  describe('script, markup and javascript: URLs', () => {
    it('are stored as text and come back verbatim in every JSON answer and socket event, served as JSON', async () => {
      const name = '<img src=x onerror=alert("name")>';
      const email = '<svg/onload=alert(1)>@evil.test';
      const u = await person(t, { name, email });
      const agentSocket = await t.connect(agentToken);
      expect(await emitAck(agentSocket, 'subscribe_admin', {})).toEqual({ ok: true });
      expect(await emitAck(agentSocket, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });
      const userSocket = await t.connect(u.token);
      expect(await emitAck(userSocket, 'subscribe', { chat_id: u.chatId })).toEqual({ ok: true });

      for (const payload of PAYLOADS) {
        const toAgent = nextEvent<NewUserMessageEvent>(agentSocket, 'new_user_message', (e) => e.message.content === payload);
        const listed = nextEvent<ChatUpdatedEvent>(agentSocket, 'chat_updated', (e) => e.chat.last_message_preview === payload);
        const ack = await sendOver(userSocket, { chat_id: u.chatId, content: payload });
        expect(ack).toMatchObject({ ok: true, message: { content: payload } });
        expect((await toAgent).user_email).toBe(email);
        expect((await listed).chat).toMatchObject({ user_name: name, user_email: email });
        const toUser = nextEvent<NewMessageEvent>(userSocket, 'new_message', (e) => e.message.sender_type === 'admin' && e.message.content === payload);
        await agentSays(t, u.chatId, payload);
        expect((await toUser).message.content).toBe(payload);
      }
      const rest = await userSays(t, u, PAYLOADS.join('\n'));
      expect(rest.content).toBe(PAYLOADS.join('\n'));

      const history = await fetch(`${t.url}/api/support_chat?limit=200`, { headers: { authorization: `Bearer ${u.token}` } });
      expect(history.headers.get('content-type')).toMatch(/^application\/json/);
      expect(history.headers.get('x-content-type-options')).toBe('nosniff');
      const contents = ((await history.json()) as { messages: SupportMessage[] }).messages.map((m) => m.content);
      expect(contents).toEqual([...PAYLOADS.flatMap((p) => [p, p]), PAYLOADS.join('\n')]);

      const list = await t.http<SupportChatPage>('/api/admin/chats', { token: agentToken });
      const item = list.body.items.find((c) => c.id === u.chatId);
      expect(item).toMatchObject({ user_name: name, user_email: email, last_message_preview: PAYLOADS.join('\n').slice(0, 100) });
      const detail = await t.http<AdminSupportChat>(`/api/admin/chats/${u.chatId}?view=false&limit=200`, { token: agentToken });
      expect(detail.body).toMatchObject({ user_name: name, user_email: email });
      expect(detail.body.messages.map((m) => m.content)).toEqual(contents);
    });

    it('are escaped in the HTML part of the unread-reply email, with a javascript: return_url never used as a link', async () => {
      const name = '<script>alert("hi")</script>Eve';
      const email = 'eve-html@example.com';
      const token = t.userToken({ sub: 'eve-html', email, name, return_url: 'javascript:alert(document.cookie)' });
      const chatId = (await t.http<SupportChat>('/api/support_chat', { token })).body.id;
      const replies = ['<img src=x onerror=alert(1)>', '<a href="javascript:alert(2)">open</a>', 'javascript:alert(3)'];
      for (const reply of replies) await agentSays(t, chatId, reply);

      await waitFor('the unread-reply email', () => smtp.to(email).length > 0, 20_000);
      const [mail, ...more] = smtp.to(email);
      expect(more).toEqual([]);
      const html = String(mail.html);
      // Nothing a mail client could run or follow: every angle bracket from the text is escaped.
      expect(html).not.toMatch(/<script|<img|onerror=|href="javascript:|<a href="javascript/i);
      expect(html).toContain('&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;Eve');
      expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
      expect(html).toContain('&lt;a href&#x3D;&quot;javascript:alert(2)&quot;&gt;open&lt;/a&gt;');
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
      expect(hrefs.every((h) => h.startsWith('https://'))).toBe(true);
      expect(hrefs).toContain('https://app.example.test/help');
      // The plain-text part is text: it carries the words as written.
      expect(mail.text).toContain(`Hi ${name}`);
      for (const reply of replies) expect(mail.text).toContain(reply);
    });
  });
});
