/** Something to close when its token runs out. */
export interface Expiring {
  disconnect(close?: boolean): unknown;
}

const TICK_MS = 1000;

/**
 * When each socket's token expires, in one structure for all of them: sockets are grouped by
 * the second their token ends and one timer per instance closes each group, instead of a timer
 * and a closure per socket.
 */
export class TokenExpiry<S extends Expiring> {
  private readonly bySecond = new Map<number, Set<S>>();
  private readonly secondOf = new WeakMap<S, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** `expSeconds`: the token's `exp` claim. */
  track(socket: S, expSeconds: number): void {
    const second = Math.ceil(expSeconds);
    let group = this.bySecond.get(second);
    if (!group) this.bySecond.set(second, (group = new Set()));
    group.add(socket);
    this.secondOf.set(socket, second);
    this.timer ??= setInterval(() => this.closeExpired(), TICK_MS).unref();
  }

  forget(socket: S): void {
    const second = this.secondOf.get(socket);
    if (second === undefined) return;
    this.secondOf.delete(socket);
    const group = this.bySecond.get(second);
    group?.delete(socket);
    if (group?.size === 0) this.bySecond.delete(second);
  }

  /** Closes every socket whose token has expired; the client's reconnect asks for a fresh one. */
  closeExpired(): number {
    const nowSeconds = this.now() / 1000;
    let closed = 0;
    for (const [second, group] of this.bySecond) {
      if (second > nowSeconds) continue;
      this.bySecond.delete(second);
      for (const socket of group) {
        this.secondOf.delete(socket);
        socket.disconnect(true);
        closed++;
      }
    }
    return closed;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
