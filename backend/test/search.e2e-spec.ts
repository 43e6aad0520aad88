import { Client } from 'pg';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { AdminSupportChat, AgentSupportMessage, SearchPage, SearchResult, SupportMessage } from '../src/contracts/wire';
import { addAgent } from './support/agents';
import { PG, startTestApp, type TestApp } from './support/test-app';

/** The highlighted stretches of a result, as text. */
const marked = (r: SearchResult) => r.highlights.map(([s, e]) => r.snippet.slice(s, e));

type ErrorBody = { statusCode: number; message: string | string[]; error?: string };

describe('search (e2e)', () => {
  let t: TestApp;
  let agent: string;
  beforeAll(async () => {
    t = await startTestApp({ MESSAGE_RATE_LIMIT: '1000' });
    agent = (await addAgent(t, await t.adminToken(), 'Sam')).token;
  });
  afterAll(() => t.close());

  let n = 0;
  /** A user with a name and email of their own, and their chat. */
  function user(name: string | null = null, email?: string) {
    const sub = `search-${++n}-${Math.random().toString(36).slice(2, 8)}`;
    const token = t.userToken({ sub, email: email ?? `${sub}@example.com`, ...(name ? { name } : {}) });
    return {
      token,
      async say(content: string): Promise<SupportMessage> {
        const res = await t.http('/api/support_chat/messages', { method: 'POST', token, body: { content } });
        if (res.status !== 201) throw new Error(`sending answered ${res.status}`);
        return res.body as SupportMessage;
      },
    };
  }
  const agentSays = async (chatId: string, content: string, isPrivate = false) => {
    const res = await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: agent, body: { content, private: isPrivate } });
    if (res.status !== 201) throw new Error(`agent sending answered ${res.status}`);
    return res.body as AgentSupportMessage;
  };
  const search = <T = unknown>(q: string, extra = '', token = agent) => t.http<T>(`/api/admin/search?q=${encodeURIComponent(q)}${extra}`, { token });
  const results = async (q: string, extra = '') => {
    const res = await search(q, extra);
    expect(res.status).toBe(200);
    return res.body as SearchPage;
  };

  it('finds words by their stem, with the matched words highlighted in a plain-text snippet', async () => {
    const u = user('Paula');
    const asked = await u.say('Could you send me the invoice for March? The amount seems off.');
    await u.say('Thanks, nothing else for now');
    const page = await results('invoices');
    expect(page.items).toHaveLength(1);
    const [hit] = page.items;
    expect(hit.message).toMatchObject({ id: asked.id, chat_id: asked.chat_id, content: asked.content, private: false, sender_type: 'user' });
    expect(hit.chat).toMatchObject({ id: asked.chat_id, user_name: 'Paula' });
    expect(marked(hit)).toEqual(['invoice']);
    expect(hit.snippet).toContain('send me the invoice for March');
    expect(page.next_cursor).toBeNull();
  });

  it('matches a phrase in quotes only in that order, and the words anywhere without quotes', async () => {
    const u = user();
    const phrase = await u.say('My refund request was ignored');
    const reversed = await u.say('Please request a refund for the broken lamp');
    const quoted = await results('"refund request"');
    expect(quoted.items.map((r) => r.message?.id)).toEqual([phrase.id]);
    expect(marked(quoted.items[0])).toEqual(['refund', 'request']);
    const loose = await results('refund request');
    expect(loose.items.map((r) => r.message?.id)).toEqual([reversed.id, phrase.id]);
    expect(marked(loose.items[0])).toEqual(['request', 'refund']);
  });

  it("finds a user by a part of their email or name in any case, as a result without a message", async () => {
    const byEmail = user('Kim Ode', 'Marta.Quintero77@Fabrikam.example');
    const chatA = (await byEmail.say('hello there')).chat_id;
    const byName = user('Xiomara Beltrán');
    const chatB = (await byName.say('good morning')).chat_id;

    const email = await results('QUINTERO77@fab');
    expect(email.items).toHaveLength(1);
    expect(email.items[0]).toMatchObject({ message: null, chat: { id: chatA, user_email: 'Marta.Quintero77@Fabrikam.example' } });
    expect(email.items[0].snippet).toBe('Kim Ode <Marta.Quintero77@Fabrikam.example>');
    expect(marked(email.items[0])).toEqual(['Quintero77@Fab']);

    const name = await results('xiomara bel');
    expect(name.items.map((r) => [r.chat.id, r.message])).toEqual([[chatB, null]]);
    expect(marked(name.items[0])).toEqual(['Xiomara Bel']);
    // LIKE's wildcards in the query are taken literally.
    expect((await results('xi%ara')).items).toEqual([]);
  });

  it('finds internal notes for agents; users have no search', async () => {
    const u = user();
    const chatId = (await u.say('the parcel never came')).chat_id;
    const note = await agentSays(chatId, 'Escalated to the wombat logistics team', true);
    const page = await results('wombat');
    expect(page.items.map((r) => r.message)).toEqual([expect.objectContaining({ id: note.id, private: true, sender_type: 'admin', sender_name: 'Sam' })]);

    const refused = await search('wombat', '', u.token);
    expect([401, 403]).toContain(refused.status);
    expect(refused.text).not.toContain('wombat');
    expect((await t.http('/api/admin/search?q=wombat')).status).toBe(401);
  });

  it('pages newest first through more results than a page, without duplicates or gaps', async () => {
    const made: AgentSupportMessage[] = [];
    for (let i = 0; i < 3; i++) {
      const u = user();
      const chatId = (await u.say(`pelican sighting number ${i}`)).chat_id;
      for (let k = 0; k < 14; k++) made.push(await agentSays(chatId, `A pelican report, ${i}/${k}`, k % 5 === 0));
    }
    const expected = (await results('pelican', '&limit=50')).items.map((r) => r.message!.id);
    expect(expected).toHaveLength(45);
    const seen: SearchResult[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: SearchPage = await results('pelican', `&limit=20${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items);
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((r) => r.message!.id)).toEqual(expected);
    expect(new Set(expected).size).toBe(45);
    for (const m of made) expect(expected).toContain(m.id);
    const times = seen.map((r) => r.message!.created_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('pages through customers and messages together in one order', async () => {
    const want = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const u = user(`Zephyrine ${i}`);
      const said = await u.say(`a note about the zephyr fan, take ${i}`);
      want.add(`u:${said.chat_id}`);
      want.add(`m:${said.id}`);
    }
    const seen: string[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: SearchPage = await results('zephyr', `&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      for (const r of page.items) {
        seen.push(r.message ? `m:${r.message.id}` : `u:${r.chat.id}`);
        times.push(r.message ? r.message.created_at : r.chat.last_message_at!);
      }
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen)).toEqual(want);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('pages through a fragment hundreds of customers share, chats without messages last', async () => {
    // More than MANY_USERS, so the chats are read newest first rather than user by user.
    const db = new Client({ connectionString: `${PG}/${t.database}` });
    await db.connect();
    try {
      await db.query(
        `WITH u AS (
           INSERT INTO users (external_id, email, name)
           SELECT 'crowd-' || g, 'crowd' || g || '@example.com', NULL FROM generate_series(1, 620) g RETURNING id, external_id
         )
         INSERT INTO support_chats (user_id, last_message_at)
         SELECT id, CASE WHEN split_part(external_id, '-', 2)::int % 100 = 0 THEN NULL
                         ELSE now() - split_part(external_id, '-', 2)::int * interval '1 minute' END
         FROM u`,
      );
      const { rows } = await db.query(
        `SELECT c.id FROM support_chats c JOIN users u ON u.id = c.user_id WHERE u.email LIKE 'crowd%'
         ORDER BY COALESCE(c.last_message_at, '-infinity') DESC, c.id DESC`,
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const page: SearchPage = await results('CROWD', `&limit=50${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((r) => r.chat.id));
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(rows.map((r: { id: string }) => r.id));
    } finally {
      await db.end();
    }
  });

  it('gives content back as literal text, the highlight on the word, whatever characters it holds', async () => {
    const u = user();
    const sent = await u.say('<script>alert(1)</script> invoice <b>marked</b> &amp; "quoted" gizmo-widget');
    const [hit] = (await results('invoice')).items;
    expect(hit.message?.content).toBe(sent.content);
    expect(hit.snippet).toBe(sent.content);
    expect(hit.highlights).toEqual([[26, 33]]);
    expect(marked(hit)).toEqual(['invoice']);
    const [part] = (await results('widgets')).items;
    expect(part.message?.id).toBe(sent.id);
    expect(marked(part)).toEqual(['widget']);

    // Whatever Postgres's parser makes of what comes before (a URL and its parts, an email,
    // hyphenated words, numbers, emoji, line breaks), the offsets land on the word.
    const mixed = await u.say('😀 see https://shop.example.com/a?b=1 or mail Ann.Lee@Example.com\nre: e-mail co-op 3.14 — the ocelot-shaped Ocelots!');
    const [hit2] = (await results('ocelot')).items;
    expect(hit2.message?.id).toBe(mixed.id);
    expect(hit2.snippet).toBe(mixed.content.replace('\n', ' '));
    expect(marked(hit2)).toEqual(['ocelot', 'Ocelots']);
  });

  it('refuses bad input with 400 and the reason, never a 500', async () => {
    const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const cases: [string, RegExp][] = [
      ['/api/admin/search', /q must be/],
      ['/api/admin/search?q=', /q must be 2 to 200 characters/],
      ['/api/admin/search?q=%20%20a%20', /q must be 2 to 200 characters/],
      [`/api/admin/search?q=${'x'.repeat(201)}`, /q must be 2 to 200 characters/],
      ['/api/admin/search?q=a&q=b', /q must be/],
      ['/api/admin/search?q=the', /only common words/],
      ['/api/admin/search?q=to%20be%20or%20not', /only common words/],
      ['/api/admin/search?q=or%20or', /only common words/],
      ['/api/admin/search?q=!!%20%22%22%20()', /only common words/],
      ['/api/admin/search?q=-spam', /not only words to exclude/],
      ['/api/admin/search?q=-spam%20-eggs', /not only words to exclude/],
      ['/api/admin/search?q=ok%00no', /plain text/],
      ['/api/admin/search?q=pelican&cursor=garbage', /Malformed cursor/],
      [`/api/admin/search?q=pelican&cursor=${cursorOf({ t: '2026-13-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' })}`, /Malformed cursor/],
      [`/api/admin/search?q=pelican&cursor=${cursorOf({ t: '2026-01-01T00:00:00.000Z', id: "1' OR 1=1" })}`, /Malformed cursor/],
      ['/api/admin/search?q=pelican&limit=0', /limit/],
      ['/api/admin/search?q=pelican&limit=51', /limit/],
    ];
    for (const [path, reason] of cases) {
      const res = await t.http<ErrorBody>(path, { token: agent });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect({ path, message: JSON.stringify(res.body.message) }).toEqual({ path, message: expect.stringMatching(reason) });
      expect(res.text).not.toMatch(/stack|QueryFailed|at \w+ \(|SELECT/);
    }
    // A cursor past every chat with messages (how the list writes one) is a valid, empty page.
    const past = await search<SearchPage>('pelican', `&cursor=${cursorOf({ t: null, id: '00000000-0000-4000-8000-000000000000' })}`);
    expect(past.status).toBe(200);
    expect(past.body.items).toEqual([]);
    // Two characters and 200 are allowed; odd syntax is read leniently rather than refused.
    expect((await search('ab')).status).toBe(200);
    expect((await search('y'.repeat(200))).status).toBe(200);
    for (const odd of ['"unclosed quote', 'a & b | c', "o'brien", 'pelican:*', '(((pelican', 'x <-> y']) {
      expect({ odd, status: (await search(odd)).status }).toEqual({ odd, status: 200 });
    }
  });

  it('reads a page in a fixed number of statements, whatever its size', async () => {
    const statementsFor = async (extra: string) => {
      const spy = jest.spyOn(Client.prototype, 'query');
      try {
        const page = await results('pelican', extra);
        const statements = spy.mock.calls
          .map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text))
          .filter((s) => /websearch_to_tsquery|FROM support_chats c/.test(s));
        return { statements, page };
      } finally {
        spy.mockRestore();
      }
    };
    const small = await statementsFor('&limit=2');
    const large = await statementsFor('&limit=40');
    expect(small.page.items).toHaveLength(2);
    expect(large.page.items).toHaveLength(40);
    expect(small.statements).toHaveLength(3);
    expect(large.statements).toHaveLength(3);
    const next = await statementsFor(`&limit=40&cursor=${large.page.next_cursor}`);
    expect(next.page.items).toHaveLength(5);
    expect(next.statements).toHaveLength(3);
  });

  it('is described in /api/docs, q with its rules', async () => {
    const docs = await t.http<OpenAPIObject>('/api/docs-json');
    const search = docs.body.paths['/api/admin/search']?.get;
    expect(search?.summary).toMatch(/Search messages/);
    expect(search?.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'q', required: true, schema: expect.objectContaining({ minLength: 2, maxLength: 200 }) })]),
    );
    expect(docs.body.paths['/api/admin/chats/{id}/around/{messageId}']?.get?.summary).toMatch(/opened at one of its messages/);
  });

  it('opens a chat at an old message: the page reaches back past it, however far down the chat it is', async () => {
    const u = user();
    const first = await u.say('an old question about a quokka');
    for (let i = 0; i < 79; i++) await agentSays(first.chat_id, `filler reply ${i}`);
    const newest = await t.http(`/api/admin/chats/${first.chat_id}`, { token: agent });
    expect((newest.body as AdminSupportChat).messages.map((m) => m.id)).not.toContain(first.id);

    const [hit] = (await results('quokka')).items;
    const res = await t.http(`/api/admin/chats/${first.chat_id}/around/${hit.message!.id}?view=false`, { token: agent });
    expect(res.status).toBe(200);
    const chat = res.body as AdminSupportChat;
    expect(chat.messages[0].id).toBe(first.id);
    expect(chat.messages).toHaveLength(80);
    expect(chat.has_more).toBe(false);
    expect(chat).toMatchObject({ id: first.chat_id, user_email: expect.any(String), activity: [] });

    // From the 60th message: itself, the 20 messages on and 20 before it.
    const sixtieth = chat.messages[59];
    const mid = (await t.http(`/api/admin/chats/${first.chat_id}/around/${sixtieth.id}`, { token: agent })).body as AdminSupportChat;
    expect(mid.messages).toHaveLength(41);
    expect(mid.messages[20].id).toBe(sixtieth.id);
    expect(mid.has_more).toBe(true);

    const other = (await user().say('elsewhere')).chat_id;
    expect((await t.http(`/api/admin/chats/${other}/around/${first.id}`, { token: agent })).status).toBe(404);
    expect((await t.http(`/api/admin/chats/${first.chat_id}/around/not-an-id`, { token: agent })).status).toBe(400);
    expect((await t.http(`/api/admin/chats/${first.chat_id}/around/${first.id}`, { token: u.token })).status).toBeGreaterThanOrEqual(401);
  });
});
