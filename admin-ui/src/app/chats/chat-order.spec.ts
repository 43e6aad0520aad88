import { chatItem } from '../../testing/factories';
import { appendPage, compareChats, insertSorted } from './chat-order';

describe('chat order', () => {
  const at = (iso: string | null) => chatItem({ last_message_at: iso });

  it('puts the newest activity first and chats without messages last', () => {
    const none = at(null);
    const old = at('2024-01-01T00:00:00.000Z');
    const fresh = at('2024-01-02T00:00:00.000Z');
    expect([none, old, fresh].sort(compareChats)).toEqual([fresh, old, none]);
  });

  it('inserts in place and replaces an existing copy', () => {
    const a = at('2024-01-03T00:00:00.000Z');
    const c = at('2024-01-01T00:00:00.000Z');
    const b = at('2024-01-02T00:00:00.000Z');
    expect(insertSorted([a, c], b, false)).toEqual([a, b, c]);
    const movedUp = { ...c, last_message_at: '2024-01-04T00:00:00.000Z' };
    expect(insertSorted([a, c], movedUp, false)).toEqual([movedUp, a]);
  });

  it('leaves out a chat that belongs to a page not loaded yet', () => {
    const a = at('2024-01-03T00:00:00.000Z');
    const older = at('2024-01-01T00:00:00.000Z');
    expect(insertSorted([a], older, true)).toEqual([a]);
    expect(insertSorted([a], older, false)).toEqual([a, older]);
  });

  it('appends a page without duplicates', () => {
    const a = at('2024-01-03T00:00:00.000Z');
    const b = at('2024-01-02T00:00:00.000Z');
    expect(appendPage([a, b], [b, a])).toEqual([a, b]);
  });
});
