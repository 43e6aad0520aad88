import { DOCUMENT, Injectable, inject, signal } from '@angular/core';

export type NotificationPermissionState = NotificationPermission | 'unsupported';

export interface IncomingNotice {
  chatId: string;
  from: string;
  text: string;
}

/**
 * Desktop notification plus a short chime for a new user message while the console's tab is
 * hidden. Both need the agent's consent: the browser's permission for the notification and a
 * click (user gesture) before audio may play.
 */
@Injectable({ providedIn: 'root' })
export class NotifierService {
  private readonly document = inject(DOCUMENT);
  private readonly window = this.document.defaultView;
  private audio: AudioContext | null = null;

  readonly permission = signal<NotificationPermissionState>(this.readPermission());

  constructor() {
    // After a reload the permission is remembered but audio is locked again until the agent
    // interacts with the page; the first click or key press unlocks it.
    const unlock = (): void => {
      if (this.permission() === 'granted') this.unlockAudio();
      this.document.removeEventListener('pointerdown', unlock, true);
      this.document.removeEventListener('keydown', unlock, true);
    };
    this.document.addEventListener('pointerdown', unlock, true);
    this.document.addEventListener('keydown', unlock, true);
  }

  async enable(): Promise<void> {
    this.unlockAudio();
    const api = this.notificationApi();
    if (!api) return;
    const result = await api.requestPermission();
    this.permission.set(result);
  }

  /** Returns whether the agent was alerted (the tab was hidden and alerts are allowed). */
  notify(notice: IncomingNotice, onOpen: () => void): boolean {
    if (this.document.visibilityState !== 'hidden') return false;
    this.chime();
    const api = this.notificationApi();
    if (!api || api.permission !== 'granted') return false;
    const notification = new api(`New message from ${notice.from}`, {
      body: notice.text.slice(0, 160),
      // One notification per chat: a burst of messages replaces rather than stacks.
      tag: `support-chat-${notice.chatId}`,
    });
    notification.onclick = () => {
      this.window?.focus();
      onOpen();
      notification.close();
    };
    return true;
  }

  private readPermission(): NotificationPermissionState {
    return this.notificationApi()?.permission ?? 'unsupported';
  }

  private notificationApi(): typeof Notification | null {
    const candidate = (this.window as (Window & { Notification?: typeof Notification }) | null)
      ?.Notification;
    return candidate ?? null;
  }

  private unlockAudio(): void {
    const Ctor = (this.window as (Window & { AudioContext?: typeof AudioContext }) | null)
      ?.AudioContext;
    if (!Ctor) return;
    this.audio ??= new Ctor();
    void this.audio.resume().catch(() => undefined);
  }

  private chime(): void {
    if (this.permission() !== 'granted') return;
    const ctx = this.audio;
    if (!ctx || ctx.state !== 'running') return;
    // Synthesised rather than an audio file: nothing to fetch, nothing to cache-bust.
    const oscillator = ctx.createOscillator();
    const gain = ctx.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.setValueAtTime(880, ctx.currentTime);
    oscillator.frequency.setValueAtTime(1320, ctx.currentTime + 0.12);
    gain.gain.setValueAtTime(0.0001, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
    oscillator.connect(gain).connect(ctx.destination);
    oscillator.start();
    oscillator.stop(ctx.currentTime + 0.4);
  }
}
