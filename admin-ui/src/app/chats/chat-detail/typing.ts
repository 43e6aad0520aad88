import { signal } from '@angular/core';

/** At most one "still typing" every this often: the server relays no more than that either. */
export const TYPING_EVERY_MS = 2_000;
/** An indicator without a repeat for this long is stale: its sender stopped or went away. */
export const TYPING_EXPIRES_MS = 6_000;

/**
 * The agent's side of typing: "typing" at most every 2 s while the reply box has text, and one
 * "stopped" on send, blur, an emptied box, a switch to note mode or another chat.
 */
export class TypingSender {
  private chatId: string | null = null;
  private lastSentAt = 0;

  constructor(
    private readonly send: (chatId: string, typing: boolean) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  typed(chatId: string, text: string): void {
    if (text.trim() === '') {
      this.stop();
      return;
    }
    if (this.chatId !== null && this.chatId !== chatId) this.stop();
    const now = this.now();
    if (this.chatId === chatId && now - this.lastSentAt < TYPING_EVERY_MS) return;
    this.chatId = chatId;
    this.lastSentAt = now;
    this.send(chatId, true);
  }

  stop(): void {
    if (this.chatId === null) return;
    const chatId = this.chatId;
    this.chatId = null;
    this.lastSentAt = 0;
    this.send(chatId, false);
  }
}

/** The customer's side: shown while their "typing" repeats, gone 6 s after the last one. */
export class TypingIndicator {
  private timer: ReturnType<typeof setTimeout> | null = null;
  readonly active = signal(false);

  typing(typing: boolean): void {
    if (!typing) {
      this.clear();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.active.set(true);
    this.timer = setTimeout(() => this.clear(), TYPING_EXPIRES_MS);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.active.set(false);
  }
}
