import { duration } from './reports.component';

describe('duration', () => {
  it('says a wait as people say it', () => {
    expect(duration(null)).toBe('–');
    expect(duration(0)).toBe('0 s');
    expect(duration(59.4)).toBe('59 s');
    expect(duration(300)).toBe('5 min');
    expect(duration(3599)).toBe('1 h 00 min');
    expect(duration(3660)).toBe('1 h 01 min');
    expect(duration(47 * 3600)).toBe('47 h 00 min');
    expect(duration(50 * 3600)).toBe('2 d 2 h');
  });
});
