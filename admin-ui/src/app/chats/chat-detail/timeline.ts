import { AgentRef, ChatActivity, SupportMessage } from '../../core/api.types';
import type { RatingLine } from './chat-ratings.store';
import { compareMessages } from './message-list';

/** One row of the conversation: a message, or a system line such as an assignment or a rating. */
export type TimelineEntry =
  | { kind: 'message'; id: string; created_at: string; message: SupportMessage }
  | { kind: 'activity'; id: string; created_at: string; activity: ChatActivity }
  | { kind: 'rating'; id: string; created_at: string; rating: RatingLine };

/**
 * An assignment line as the signed-in agent reads it: "You" for themselves, names for others.
 * The server's `text` is written for a third person; the parts it is made from say who is who.
 */
export function activityLine(activity: ChatActivity, myId: string | null | undefined): string {
  const isMe = (ref: AgentRef | null): boolean => !!ref && !!myId && ref.id === myId;
  const who = (ref: AgentRef | null, fallback: string): string =>
    isMe(ref) ? 'You' : (ref?.name ?? fallback);
  const whom = (ref: AgentRef | null): string => (isMe(ref) ? 'you' : (ref?.name ?? 'someone'));
  const { actor, assignee } = activity;
  const self = !!actor && !!assignee && actor.id === assignee.id;
  if (activity.kind === 'assigned') {
    if (!actor) return `Assigned to ${whom(assignee)} automatically`;
    return self
      ? `${who(actor, 'Someone')} took this`
      : `${who(actor, 'Someone')} assigned this to ${whom(assignee)}`;
  }
  if (!actor) {
    return isMe(assignee)
      ? 'You were offline too long; back in the queue'
      : `${who(assignee, 'Someone')} was offline too long; back in the queue`;
  }
  if (self) return `${who(actor, 'Someone')} let this go`;
  return assignee
    ? `${who(actor, 'Someone')} unassigned this from ${whom(assignee)}`
    : `${who(actor, 'Someone')} unassigned this`;
}

/** Adds activity lines to a list, once each, oldest first. */
export function mergeActivity(
  current: readonly ChatActivity[],
  incoming: readonly ChatActivity[],
): ChatActivity[] {
  if (incoming.length === 0) return current as ChatActivity[];
  const byId = new Map(current.map((a) => [a.id, a] as const));
  for (const a of incoming) byId.set(a.id, a);
  return [...byId.values()].sort(
    (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1),
  );
}

/**
 * Messages and system lines in time order. While older messages are still unloaded, lines from
 * before the oldest loaded message wait with them: shown now, they would sit above messages that
 * happened before them.
 */
export function buildTimeline(
  messages: readonly SupportMessage[],
  activity: readonly ChatActivity[],
  hasMore: boolean,
  ratings: readonly RatingLine[] = [],
): TimelineEntry[] {
  const from = hasMore && messages.length > 0 ? Date.parse(messages[0].created_at) : -Infinity;
  const entries: TimelineEntry[] = messages.map((message) => ({
    kind: 'message',
    id: message.id,
    created_at: message.created_at,
    message,
  }));
  for (const a of activity) {
    if (Date.parse(a.created_at) < from) continue;
    entries.push({
      kind: 'activity',
      id: `activity-${a.id}`,
      created_at: a.created_at,
      activity: a,
    });
  }
  for (const r of ratings) {
    if (Date.parse(r.created_at) < from) continue;
    entries.push({ kind: 'rating', id: `rating-${r.id}`, created_at: r.created_at, rating: r });
  }
  return entries.sort((a, b) => {
    const byTime = Date.parse(a.created_at) - Date.parse(b.created_at);
    if (byTime !== 0) return byTime;
    if (a.kind === 'message' && b.kind === 'message') return compareMessages(a.message, b.message);
    // Same millisecond: the line after the message it answers.
    return a.kind === b.kind ? (a.id < b.id ? -1 : 1) : a.kind === 'message' ? -1 : 1;
  });
}
