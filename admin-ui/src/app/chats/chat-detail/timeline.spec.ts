import { ChatActivity } from '../../core/api.types';
import { message } from '../../../testing/factories';
import { activityLine, buildTimeline, mergeActivity } from './timeline';

const ANA = { id: 'ana', name: 'Ana' };
const BEN = { id: 'ben', name: 'Ben' };

function line(overrides: Partial<ChatActivity>): ChatActivity {
  return {
    id: 'a1',
    chat_id: 'chat-1',
    kind: 'assigned',
    actor: ANA,
    assignee: BEN,
    text: 'Ana assigned this to Ben',
    created_at: '2024-01-29T12:00:00.000Z',
    ...overrides,
  };
}

describe('conversation timeline', () => {
  it('reads assignment lines from the viewer’s side: You for oneself, names for others', () => {
    expect(activityLine(line({}), 'someone-else')).toBe('Ana assigned this to Ben');
    expect(activityLine(line({}), 'ana')).toBe('You assigned this to Ben');
    expect(activityLine(line({}), 'ben')).toBe('Ana assigned this to you');
    expect(activityLine(line({ assignee: ANA }), 'ana')).toBe('You took this');
    expect(activityLine(line({ kind: 'unassigned' }), 'ana')).toBe('You unassigned this from Ben');
    expect(activityLine(line({ kind: 'unassigned', assignee: null }), 'ana')).toBe(
      'You unassigned this',
    );
    expect(activityLine(line({ kind: 'unassigned', assignee: ANA }), 'x')).toBe('Ana let this go');
    expect(activityLine(line({ actor: null }), 'ben')).toBe('Assigned to you automatically');
    expect(activityLine(line({ kind: 'unassigned', actor: null }), 'x')).toBe(
      'Ben was offline too long; back in the queue',
    );
  });

  it('puts lines among the messages in time order, once each', () => {
    const m1 = message({ id: 'm1', created_at: '2024-01-29T11:00:00.000Z' });
    const m2 = message({ id: 'm2', created_at: '2024-01-29T13:00:00.000Z' });
    const a = line({ id: 'a', created_at: '2024-01-29T12:00:00.000Z' });
    const activity = mergeActivity([a], [a]);
    expect(buildTimeline([m1, m2], activity, false).map((e) => e.id)).toEqual([
      'm1',
      'activity-a',
      'm2',
    ]);
  });

  it('holds back lines older than the oldest loaded message while history is still unloaded', () => {
    const m1 = message({ id: 'm1', created_at: '2024-01-29T11:00:00.000Z' });
    const early = line({ id: 'early', created_at: '2024-01-29T10:00:00.000Z' });
    expect(buildTimeline([m1], [early], true).map((e) => e.id)).toEqual(['m1']);
    expect(buildTimeline([m1], [early], false).map((e) => e.id)).toEqual(['activity-early', 'm1']);
  });

  it('puts a rating line among the messages by its time', () => {
    const before = message({ id: 'm1', created_at: '2024-01-29T10:00:00.000Z' });
    const after = message({ id: 'm2', created_at: '2024-01-29T12:00:00.000Z' });
    const rating = { id: 'r1', score: 5, comment: null, created_at: '2024-01-29T11:00:00.000Z' };
    expect(buildTimeline([before, after], [], false, [rating]).map((e) => e.id)).toEqual([
      'm1',
      'rating-r1',
      'm2',
    ]);
    // Older than the loaded page: it waits with the messages still to load.
    expect(buildTimeline([after], [], true, [rating]).map((e) => e.id)).toEqual(['m2']);
  });
});
