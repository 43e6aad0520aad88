import type { AgentRef, ChatActivity } from '../contracts/wire';

export interface ActivityRow {
  id: string;
  chat_id: string;
  kind: 'assigned' | 'unassigned';
  actor_id: string | null;
  actor_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  created_at: Date;
}

export const ACTIVITY_COLUMNS = 'id, chat_id, kind, actor_id, actor_name, assignee_id, assignee_name, created_at';

const ref = (id: string | null, name: string | null): AgentRef | null => (id ? { id, name: name ?? 'Former agent' } : null);

/**
 * The line agents read. For `unassigned`, the assignee is the one the chat was taken from; no
 * actor means auto-assignment (or its grace period) did it.
 */
export function activityText(row: Pick<ActivityRow, 'kind' | 'actor_id' | 'actor_name' | 'assignee_id' | 'assignee_name'>): string {
  const actor = row.actor_name ?? 'Someone';
  const assignee = row.assignee_name ?? 'someone';
  if (row.kind === 'assigned') {
    if (!row.actor_id) return `Assigned to ${assignee} automatically`;
    return row.actor_id === row.assignee_id ? `${actor} took this` : `${actor} assigned this to ${assignee}`;
  }
  if (!row.actor_id) return `${assignee} was offline too long; back in the queue`;
  return row.actor_id === row.assignee_id ? `${actor} let this go` : `${actor} unassigned this from ${assignee}`;
}

export function toActivity(row: ActivityRow): ChatActivity {
  return {
    id: row.id,
    chat_id: row.chat_id,
    kind: row.kind,
    actor: ref(row.actor_id, row.actor_name),
    assignee: ref(row.assignee_id, row.assignee_name),
    text: activityText(row),
    created_at: row.created_at.toISOString(),
  };
}
