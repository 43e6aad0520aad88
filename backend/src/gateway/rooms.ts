/** Every agent console that asked for the list's live changes. */
export const AGENTS_ROOM = 'admin_support_notifications';

/** The user and the agents watching one chat. */
export const chatRoom = (chatId: string) => `support_chat:${chatId}`;

/** Every socket of one agent, on every instance: what a deactivation closes. */
export const agentRoom = (agentId: string) => `agent:${agentId}`;

/** Every user socket: the team's availability reaches them all with one emit. */
export const USERS_ROOM = 'support_users';

/** Every agent socket: what the user side's relays (typing) leave out, and the reverse. */
export const AGENT_SOCKETS_ROOM = 'support_agent_sockets';
