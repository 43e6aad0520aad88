/** Retention runs once a day at this hour (UTC), when support traffic is usually lowest. */
export const RUN_HOUR_UTC = 3;

/** The next daily run strictly after `now`. */
export function nextRunAfter(now: Date): Date {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), RUN_HOUR_UTC));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

/** Chats whose last message is before this are expired at `at`. */
export function cutoffAt(at: Date, days: number): Date {
  return new Date(at.getTime() - days * 86_400_000);
}

/** The name of one day's run: the instance that claims it first in Redis runs it. */
export function runKey(at: Date): string {
  return at.toISOString().slice(0, 10);
}
