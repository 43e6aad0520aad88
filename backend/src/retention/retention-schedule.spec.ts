import { loadConfig, ConfigError } from '../config/app-config';
import { cutoffAt, nextRunAfter, runKey } from './retention-schedule';

describe('retention schedule', () => {
  it('runs next at 03:00 UTC, today if that is still ahead, else tomorrow', () => {
    expect(nextRunAfter(new Date('2026-12-01T01:59:00.000Z')).toISOString()).toBe('2026-12-01T03:00:00.000Z');
    expect(nextRunAfter(new Date('2026-12-01T03:00:00.000Z')).toISOString()).toBe('2026-12-02T03:00:00.000Z');
    expect(nextRunAfter(new Date('2026-12-31T23:00:00.000Z')).toISOString()).toBe('2027-01-01T03:00:00.000Z');
  });

  it('expires what is older than the policy at the run, one run per day', () => {
    expect(cutoffAt(new Date('2026-12-02T03:00:00.000Z'), 30).toISOString()).toBe('2026-11-02T03:00:00.000Z');
    expect(runKey(new Date('2026-12-02T03:00:00.000Z'))).toBe('2026-12-02');
  });

  it('keeps everything unless RETENTION_DAYS is a whole number of days', () => {
    expect(loadConfig({}).retentionDays).toBeNull();
    expect(loadConfig({ RETENTION_DAYS: '90' }).retentionDays).toBe(90);
    expect(loadConfig({}).retentionBatchSize).toBe(500);
    for (const bad of ['0', '-1', '1.5', 'forever', '36501']) {
      expect(() => loadConfig({ RETENTION_DAYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ RETENTION_DAYS: bad })).toThrow(/^RETENTION_DAYS: /);
    }
    expect(() => loadConfig({ RETENTION_BATCH_SIZE: '0' })).toThrow(/^RETENTION_BATCH_SIZE: /);
  });
});
