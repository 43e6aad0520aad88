import { message } from '../../../testing/factories';
import { groupByDay, markAgentMessagesRead, mergeMessages } from './message-list';

describe('message list helpers', () => {
  it('merges by id, in created_at then id order', () => {
    const a = message({ id: 'a', created_at: '2024-01-29T10:00:00.000Z' });
    const b = message({ id: 'b', created_at: '2024-01-29T10:00:00.000Z' });
    const c = message({ id: 'c', created_at: '2024-01-29T09:00:00.000Z' });
    expect(mergeMessages([b], [a, c, b]).map((m) => m.id)).toEqual(['c', 'a', 'b']);
  });

  it('keeps a read mark that a later copy of the message lacks', () => {
    const read = message({ id: 'a', sender_type: 'admin', read_at: '2024-01-29T11:00:00.000Z' });
    expect(mergeMessages([read], [{ ...read, read_at: null }])[0].read_at).toBe(read.read_at);
  });

  it('marks only agent messages up to the read time, or exactly the listed ones', () => {
    const early = message({
      id: 'e',
      sender_type: 'admin',
      created_at: '2024-01-29T10:00:00.000Z',
    });
    const late = message({ id: 'l', sender_type: 'admin', created_at: '2024-01-29T12:00:00.000Z' });
    const user = message({ id: 'u', sender_type: 'user', created_at: '2024-01-29T10:00:00.000Z' });
    const byTime = markAgentMessagesRead([early, late, user], '2024-01-29T11:00:00.000Z');
    expect(byTime.map((m) => m.read_at !== null)).toEqual([true, false, false]);
    const byIds = markAgentMessagesRead([early, late], '2024-01-29T11:00:00.000Z', ['l']);
    expect(byIds.map((m) => m.read_at !== null)).toEqual([false, true]);
  });

  it('groups consecutive messages by local day', () => {
    const groups = groupByDay(
      [
        message({ created_at: '2024-01-29T10:00:00.000Z' }),
        message({ created_at: '2024-01-29T11:00:00.000Z' }),
        message({ created_at: '2024-01-31T11:00:00.000Z' }),
      ],
      Date.parse('2024-02-01T00:00:00.000Z'),
    );
    expect(groups.map((g) => [g.label, g.messages.length])).toEqual([
      ['Monday, January 29', 2],
      ['Wednesday, January 31', 1],
    ]);
  });
});
