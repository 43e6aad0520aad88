import { SupportMessage } from '../../core/api.types';
import { dayKey, dayLabel } from '../../core/time-format';

/** The contract's order: created_at, then id. */
export function compareMessages(a: SupportMessage, b: SupportMessage): number {
  const ta = Date.parse(a.created_at);
  const tb = Date.parse(b.created_at);
  if (ta !== tb) return ta - tb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Adds messages to a chronological list, once each. A message can reach the console three
 * ways (the send ack, the room broadcast, a catch-up fetch); the id decides. A later copy wins
 * so that a read mark carried by a fresher fetch is kept.
 */
export function mergeMessages(
  current: readonly SupportMessage[],
  incoming: readonly SupportMessage[],
): SupportMessage[] {
  if (incoming.length === 0) return current as SupportMessage[];
  const byId = new Map(current.map((m) => [m.id, m] as const));
  for (const message of incoming) {
    const known = byId.get(message.id);
    byId.set(
      message.id,
      known ? { ...message, read_at: message.read_at ?? known.read_at } : message,
    );
  }
  return [...byId.values()].sort(compareMessages);
}

/** Marks the agent's messages read up to the moment the user read them. */
export function markAgentMessagesRead(
  messages: readonly SupportMessage[],
  readAt: string,
  messageIds?: readonly string[],
): SupportMessage[] {
  const until = Date.parse(readAt);
  const ids = messageIds ? new Set(messageIds) : null;
  const isTarget = (m: SupportMessage): boolean =>
    ids ? ids.has(m.id) : Date.parse(m.created_at) <= until;
  return messages.map((m) =>
    m.sender_type === 'admin' && m.read_at === null && isTarget(m) ? { ...m, read_at: readAt } : m,
  );
}

export interface DayGroup<T extends { created_at: string } = SupportMessage> {
  key: string;
  label: string;
  messages: T[];
}

/** Splits a chronological list under "Monday, January 29" dividers (the agent's local days). */
export function groupByDay<T extends { created_at: string }>(
  messages: readonly T[],
  now: number,
): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  for (const message of messages) {
    const key = dayKey(message.created_at);
    const last = groups.at(-1);
    if (last && last.key === key) {
      last.messages.push(message);
    } else {
      groups.push({ key, label: dayLabel(message.created_at, now), messages: [message] });
    }
  }
  return groups;
}
