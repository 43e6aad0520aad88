import { redactUrl, serializeRequest } from './log-privacy';

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
});
