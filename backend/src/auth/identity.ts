/** Who is calling, as proven by a verified token. */
export interface UserIdentity {
  kind: 'user';
  sub: string;
  email: string;
  name: string | null;
  returnUrl: string | null;
  /** Token expiry, seconds since the epoch. */
  exp: number;
}

export interface AgentIdentity {
  kind: 'agent';
  adminId: string;
  email: string;
  exp: number;
}

export type Identity = UserIdentity | AgentIdentity;

export const USER_AUDIENCE = 'support-widget';
export const AGENT_AUDIENCE = 'support-console';
