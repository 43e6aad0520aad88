import { DomainError } from '../common/domain-error';
import { decodeCursor, encodeCursor } from './chat-list.query';

describe('list cursors', () => {
  const id = '2f1c8a4e-7b1d-4c6e-9a3f-0d2b5e8c7a61';

  it('round-trips a position, with or without a time', () => {
    expect(decodeCursor(encodeCursor({ t: '2026-11-25T10:00:00.123Z', id }))).toEqual({ t: '2026-11-25T10:00:00.123Z', id });
    expect(decodeCursor(encodeCursor({ t: null, id }))).toEqual({ t: null, id });
  });

  it.each([
    ['not base64 json', 'garbage!'],
    ['a bad id', encodeCursor({ t: null, id: "1' OR 1=1" })],
    ['a bad time', Buffer.from(JSON.stringify({ t: 'yesterday', id })).toString('base64url')],
    ['an array', Buffer.from('[]').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['a bare year, which Date.parse takes and Postgres refuses', Buffer.from(JSON.stringify({ t: '2022', id })).toString('base64url')],
    ['a date in words', Buffer.from(JSON.stringify({ t: 'Tue Mar 01 2022', id })).toString('base64url')],
    ['year zero', Buffer.from(JSON.stringify({ t: '0000-01-01T00:00:00.000Z', id })).toString('base64url')],
    ['an impossible day', Buffer.from(JSON.stringify({ t: '2022-02-31T00:00:00.000Z', id })).toString('base64url')],
  ])('refuses %s as invalid_content', (_name, raw) => {
    expect(() => decodeCursor(raw)).toThrow(DomainError);
    try {
      decodeCursor(raw);
    } catch (err) {
      expect((err as DomainError).code).toBe('invalid_content');
    }
  });
});
