import { describeError, redactUrl, serializeError, serializeRequest } from './log-privacy';

describe('log privacy', () => {
  it('hides credential-like query values and keeps the rest', () => {
    expect(redactUrl('/api/unsubscribe?token=abc.def&u=1')).toBe('/api/unsubscribe?token=[redacted]&u=1');
    expect(redactUrl('/api/support_chat/messages?after=5f0c')).toBe('/api/support_chat/messages?after=5f0c');
    expect(redactUrl('/x?access_token=1&api_key=2')).toBe('/x?access_token=[redacted]&api_key=[redacted]');
    expect(redactUrl('/plain')).toBe('/plain');
  });

  it('keeps no header or body of a request', () => {
    const req = {
      id: 'r1',
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '127.0.0.1',
      headers: { authorization: 'Bearer secret' },
      body: { password: 'hunter2' },
    };
    expect(JSON.stringify(serializeRequest(req))).not.toMatch(/secret|hunter2/);
  });

  it('tells an unexpected error without its stack, and a database error by its SQLSTATE alone', () => {
    const plain = new TypeError('x is not a function');
    expect(describeError(plain)).toBe('TypeError: x is not a function');
    expect(JSON.stringify(serializeError(plain))).not.toMatch(/ at |node_modules|\.ts:/);
    const db = Object.assign(new Error('invalid input syntax for type uuid: "eyJhbGciOi.secret"'), {
      name: 'QueryFailedError',
      code: '22P02',
      query: 'SELECT * FROM users WHERE id = $1',
    });
    expect(describeError(db)).toBe('database error (SQLSTATE 22P02)');
    expect(describeError('thrown string')).toBe('non-error thrown');
    // As pino-http hands it over: its serialized copy, the original kept as `raw`.
    const copy = Object.defineProperty({ type: 'Error', message: 'm', stack: 'Error: m\n    at x (/srv/node_modules/y.js:1:1)' }, 'raw', {
      value: db,
      enumerable: false,
    });
    expect(serializeError(copy)).toEqual({ message: 'database error (SQLSTATE 22P02)' });
  });

  it('tells an error that quotes a token without the token, however long the message', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsImVtYWlsIjoidUBleGFtcGxlLmNvbSJ9.c2lnbmF0dXJl';
    expect(describeError(new Error(`cannot use ${token} here`))).toBe('Error: cannot use [token] here');
    // Cut at 200 characters after the token is replaced, never through the middle of one.
    const long = describeError(new Error(`${'x'.repeat(190)} ${token}`));
    expect(long).not.toMatch(/eyJ/);
    const thrown = Object.assign(new Error(`bad handshake ${token}`), { stack: `Error: bad\n    at f (/srv/app/main.js:1:1)` });
    expect(describeError(thrown)).not.toMatch(/ at |main\.js|eyJ/);
  });
});
