import { DomainError } from '../common/domain-error';
import { parseEmptyPayload, parsePayload, parseSendMessage, SendMessagePayload } from './socket-payloads';

const chat_id = '2f1c8a4e-7b1d-4c6e-9a3f-0d2b5e8c7a61';

describe('socket payloads', () => {
  it('accepts a well-formed message', () => {
    expect(parsePayload(SendMessagePayload, { chat_id, content: ' hi ', client_id: 'abc-1' })).toMatchObject({
      chat_id,
      content: ' hi ',
      client_id: 'abc-1',
    });
  });

  it.each([
    [undefined],
    ['text'],
    [[{ chat_id, content: 'hi' }]],
    [{ chat_id, content: '' }],
    [{ chat_id, content: ' \n ' }],
    [{ chat_id, content: 'x'.repeat(5001) }],
    [{ chat_id, content: 5 }],
    [{ chat_id, content: 'nul \u0000 inside' }],
    [{ chat_id, content: 'unpaired \uD800 half' }],
    [{ chat_id, content: ['hi'] }],
    [{ chat_id: { $gt: '' }, content: 'hi' }],
    [{ chat_id, content: Buffer.from('hi') }],
    [JSON.parse(`{"chat_id":"${chat_id}","content":"hi","__proto__":{"polluted":1}}`)],
    [{ chat_id: 'nope', content: 'hi' }],
    [{ chat_id, content: 'hi', sender_type: 'admin' }],
    [{ chat_id, content: 'hi', client_id: 'x'.repeat(65) }],
  ])('answers invalid_content to %p', (payload) => {
    expect(() => parsePayload(SendMessagePayload, payload)).toThrow(expect.objectContaining({ code: 'invalid_content' }));
  });

  it('refuses nesting as deep as a frame allows without recursing through it', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(() => parsePayload(SendMessagePayload, { chat_id, content: deep })).toThrow(
      expect.objectContaining({ code: 'invalid_content' }),
    );
  });

  it('takes nothing or an empty object where an event has no fields', () => {
    expect(() => parseEmptyPayload(undefined)).not.toThrow();
    expect(() => parseEmptyPayload({})).not.toThrow();
    expect(() => parseEmptyPayload({ room: 'x' })).toThrow(DomainError);
    expect(() => parseEmptyPayload('x')).toThrow(DomainError);
  });
});

describe('parseSendMessage, the hand-written send_message check', () => {
  const outcome = (parse: () => unknown) => {
    try {
      return { ok: parse() };
    } catch (err) {
      return { error: (err as DomainError).code };
    }
  };
  const uuids = [chat_id, chat_id.toUpperCase(), '00000000-0000-0000-0000-000000000000', '2f1c8a4e-7b1d-9c6e-9a3f-0d2b5e8c7a61', 'nope', '', 7];
  const contents = ['hi', ' hi ', '', ' \n ', 'x'.repeat(5000), ` ${'x'.repeat(5000)} `, 'x'.repeat(5001), 'nul \u0000', 'half \uD800', '😀', 5, true, null, undefined];
  const clientIds = [undefined, null, 'abc-1', 'a.b:c_d', 'x'.repeat(64), 'x'.repeat(65), '', 'sp ace', 12, false];
  const privates = [undefined, null, true, false, 'true', 0];
  const cases: unknown[] = [undefined, null, 'text', 5, [], [{ chat_id, content: 'hi' }], {}];
  for (const id of uuids) for (const content of contents) cases.push({ chat_id: id, content });
  for (const client_id of clientIds) for (const priv of privates) cases.push({ chat_id, content: 'hi', client_id, private: priv });
  cases.push({ chat_id, content: 'hi', sender_type: 'admin' }, { chat_id, content: 'hi', extra: undefined }, { chat_id, content: { a: 1 } });
  cases.push(JSON.parse(`{"chat_id":"${chat_id}","content":"hi","__proto__":{"polluted":1}}`), { chat_id, content: Buffer.from('hi') });

  it(`answers exactly as the SendMessagePayload rules do, on ${cases.length} payloads`, () => {
    let accepted = 0;
    for (const payload of cases) {
      const expected = outcome(() => ({ ...parsePayload(SendMessagePayload, payload) }));
      expect([payload, outcome(() => parseSendMessage(payload))]).toEqual([payload, expected]);
      if ('ok' in expected) accepted++;
    }
    // Both ways are exercised: a check that refused everything would agree on the refusals only.
    expect(accepted).toBeGreaterThan(20);
  });
});
