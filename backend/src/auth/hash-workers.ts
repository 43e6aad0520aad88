import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

type Job = { op: 'hash'; password: string; cost: number } | { op: 'compare'; password: string; hash: string };
type Reply = { id: number; result: string | boolean } | { id: number; error: string };

// Plain JavaScript for an eval'd worker: it needs no build step, in the server or under Jest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcrypt);
parentPort.on('message', ({ id, job }) => {
  try {
    const result = job.op === 'hash' ? bcrypt.hashSync(job.password, job.cost) : bcrypt.compareSync(job.password, job.hash);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});`;

interface Slot {
  worker: Worker;
  waiting: Map<number, { resolve: (value: string | boolean) => void; reject: (error: Error) => void }>;
}

/**
 * bcryptjs is plain JavaScript: even its async API computes on the calling thread, in slices of
 * up to 100 ms during which no socket or request is served, and a flood of logins would stall
 * every conversation. The hashing runs on a few worker threads instead, started on first use;
 * a worker is only referenced while it has work, so it never keeps a finished process alive.
 */
export class HashWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 0;

  constructor(private readonly size = Math.max(1, Math.min(2, availableParallelism() - 1))) {}

  hash(password: string, cost: number): Promise<string> {
    return this.run({ op: 'hash', password, cost }) as Promise<string>;
  }

  compare(password: string, hash: string): Promise<boolean> {
    return this.run({ op: 'compare', password, hash }) as Promise<boolean>;
  }

  /** Stops the workers; the next job starts new ones. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private run(job: Job): Promise<string | boolean> {
    const slot = this.pick();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      if (slot.waiting.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, job });
    });
  }

  /** The least busy worker, or a new one while there are fewer than `size`. */
  private pick(): Slot {
    const idle = this.slots.find((s) => s.waiting.size === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return this.slots.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcrypt: require.resolve('bcryptjs') } });
    const slot: Slot = { worker, waiting: new Map() };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = slot.waiting.get(reply.id);
      if (!waiter) return;
      slot.waiting.delete(reply.id);
      if (slot.waiting.size === 0) worker.unref();
      if ('error' in reply) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.result);
    });
    // A worker that dies fails only its own jobs; the next job starts a fresh one.
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      for (const waiter of slot.waiting.values()) waiter.reject(error);
      slot.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`Password hashing worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}
