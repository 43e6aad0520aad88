import { TokenExpiry } from './token-expiry';

class FakeSocket {
  closed = 0;
  disconnect(): void {
    this.closed++;
  }
}

describe('TokenExpiry', () => {
  let now = 1_000_000;
  const expiry = new TokenExpiry<FakeSocket>(() => now);
  afterAll(() => expiry.stop());

  it('closes each socket once its token has expired, and no other', () => {
    const soon = new FakeSocket();
    const later = new FakeSocket();
    expiry.track(soon, now / 1000 + 5);
    expiry.track(later, now / 1000 + 60);
    now += 4_000;
    expect(expiry.closeExpired()).toBe(0);
    now += 1_000;
    expect(expiry.closeExpired()).toBe(1);
    expect([soon.closed, later.closed]).toEqual([1, 0]);
    now += 60_000;
    expect(expiry.closeExpired()).toBe(1);
    expect(expiry.closeExpired()).toBe(0);
    expect(later.closed).toBe(1);
  });

  it('forgets a socket that disconnected before its token expired', () => {
    const gone = new FakeSocket();
    const kept = new FakeSocket();
    expiry.track(gone, now / 1000 + 1);
    expiry.track(kept, now / 1000 + 1);
    expiry.forget(gone);
    now += 2_000;
    expect(expiry.closeExpired()).toBe(1);
    expect([gone.closed, kept.closed]).toEqual([0, 1]);
  });
});
