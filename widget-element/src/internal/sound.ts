type AudioContextConstructor = typeof AudioContext;

function audioContextClass(): AudioContextConstructor | undefined {
  const w = globalThis as typeof globalThis & { webkitAudioContext?: AudioContextConstructor };
  return w.AudioContext ?? w.webkitAudioContext;
}

/**
 * A short two-tone chime made with Web Audio, so the bundle carries no sound file. Browsers only
 * let audio start after a user gesture, so unlock() is called from the launcher's click and the
 * context is reused afterwards.
 */
export class Chime {
  private context: AudioContext | null = null;

  unlock(): void {
    const Ctor = audioContextClass();
    if (!Ctor) return;
    try {
      this.context ??= new Ctor();
      if (this.context.state === 'suspended') void this.context.resume().catch(() => undefined);
    } catch {
      this.context = null;
    }
  }

  play(): void {
    if (!this.context) this.unlock();
    const ctx = this.context;
    if (!ctx) return;
    try {
      const start = ctx.currentTime;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
      gain.connect(ctx.destination);
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(880, start);
      osc.frequency.setValueAtTime(1320, start + 0.12);
      osc.connect(gain);
      osc.start(start);
      osc.stop(start + 0.36);
    } catch {
      // A sound is a nicety; failing to make one must never break message delivery.
    }
  }

  dispose(): void {
    void this.context?.close().catch(() => undefined);
    this.context = null;
  }
}
