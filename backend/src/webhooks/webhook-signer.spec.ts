import { createHmac } from 'node:crypto';
import { newSecret, signature, signedHeaders } from './webhook-signer';

describe('webhook signer', () => {
  // The example of the Standard Webhooks specification's reference libraries.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it('signs id.timestamp.body with the base64-decoded key, as the specification’s example', () => {
    expect(signature(secret, id, timestamp, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('sends one signature per live secret, space-separated, each verifying with its own secret', () => {
    const other = newSecret();
    const headers = signedHeaders([secret, other], id, timestamp, body);
    expect(headers['webhook-id']).toBe(id);
    expect(headers['webhook-timestamp']).toBe('1614265330');
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    const expected = (s: string) =>
      'v1,' + createHmac('sha256', Buffer.from(s.slice(6), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64');
    expect(parts).toEqual([expected(secret), expected(other)]);
    expect(parts[0]).not.toBe(parts[1]);
  });

  it('changes with any byte of the body, the id or the timestamp', () => {
    const base = signature(secret, id, timestamp, body);
    expect(signature(secret, id, timestamp, body + ' ')).not.toBe(base);
    expect(signature(secret, `${id}x`, timestamp, body)).not.toBe(base);
    expect(signature(secret, id, timestamp + 1, body)).not.toBe(base);
  });

  it('makes whsec_ secrets of 32 random bytes, never the same twice', () => {
    const a = newSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newSecret()).not.toBe(a);
  });

  it('refuses to sign without a secret', () => {
    expect(() => signedHeaders([], id, timestamp, body)).toThrow();
  });
});
