// Fixed to en-US: the console's copy is English, and a fixed locale keeps "Monday, January 29"
// the same for every agent and in tests.
const LOCALE = 'en-US';
const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'always' });
const dayWithYear = new Intl.DateTimeFormat(LOCALE, {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
});
const dayOnly = new Intl.DateTimeFormat(LOCALE, { weekday: 'long', month: 'long', day: 'numeric' });
const clock = new Intl.DateTimeFormat(LOCALE, { hour: 'numeric', minute: '2-digit' });
const shortDate = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "2 minutes ago", "3 hours ago", "5 days ago", then a date. */
export function timeAgo(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  // Clocks drift a little between server and agent: a message "from the future" is just now.
  const elapsed = Math.max(0, now - then);
  if (elapsed < 45_000) return 'just now';
  if (elapsed < HOUR) return relative.format(-Math.max(1, Math.round(elapsed / MINUTE)), 'minute');
  if (elapsed < DAY) return relative.format(-Math.round(elapsed / HOUR), 'hour');
  if (elapsed < 30 * DAY) return relative.format(-Math.round(elapsed / DAY), 'day');
  return shortDate.format(then);
}

/** "Monday, January 29"; the year is added when it is not the current one. */
export function dayLabel(iso: string, now: number): string {
  const date = new Date(iso);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return (sameYear ? dayOnly : dayWithYear).format(date);
}

/** A key for the agent's local calendar day, for grouping messages under dividers. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/** "10:30 AM" in the agent's time zone. */
export function clockTime(iso: string): string {
  return clock.format(new Date(iso));
}

export function countLabel(count: number): string {
  return `${count} ${count === 1 ? 'message' : 'messages'}`;
}
