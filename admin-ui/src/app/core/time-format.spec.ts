import { clockTime, countLabel, dayLabel, timeAgo } from './time-format';

describe('time formatting', () => {
  const now = Date.parse('2024-01-29T12:00:00.000Z');
  const ago = (ms: number): string => new Date(now - ms).toISOString();

  it('says how long ago, in words that keep up with the clock', () => {
    expect(timeAgo(ago(10_000), now)).toBe('just now');
    expect(timeAgo(ago(60_000), now)).toBe('1 minute ago');
    expect(timeAgo(ago(2 * 60_000), now)).toBe('2 minutes ago');
    expect(timeAgo(ago(3 * 3_600_000), now)).toBe('3 hours ago');
    expect(timeAgo(ago(2 * 86_400_000), now)).toBe('2 days ago');
    expect(timeAgo(ago(90 * 86_400_000), now)).toMatch(/^Oct \d+, 2023$/);
  });

  it('treats a timestamp slightly in the future (clock drift) as just now', () => {
    expect(timeAgo(new Date(now + 5_000).toISOString(), now)).toBe('just now');
  });

  it('counts messages in the singular and plural', () => {
    expect(countLabel(1)).toBe('1 message');
    expect(countLabel(5)).toBe('5 messages');
  });

  it('labels days like "Monday, January 29", adding the year for other years', () => {
    expect(dayLabel('2024-01-29T12:00:00.000Z', now)).toBe('Monday, January 29');
    expect(dayLabel('2023-12-25T12:00:00.000Z', now)).toBe('Monday, December 25, 2023');
  });

  it('shows a clock time with minutes', () => {
    expect(clockTime('2024-01-29T12:00:00.000Z')).toMatch(/^\d{1,2}:00\s?[AP]M$/);
  });
});
