import type { LoginResult } from '../../src/auth/auth.service';
import type { AgentView } from '../../src/contracts/wire';
import type { TestApp } from './test-app';

export const AGENT_PASSWORD = 'correct horse battery';

/** A new agent, added by an admin with a password, and signed in. */
export async function addAgent(t: TestApp, adminToken: string, name: string, role: 'admin' | 'agent' = 'agent') {
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const created = await t.http<{ agent: AgentView }>('/api/admin/agents', {
    method: 'POST',
    token: adminToken,
    body: { email, name, role, password: AGENT_PASSWORD },
  });
  if (created.status !== 201) throw new Error(`adding ${name} answered ${created.status}`);
  const login = await t.http<LoginResult>('/api/auth/login', { method: 'POST', body: { email, password: AGENT_PASSWORD } });
  return { ...created.body.agent, token: login.body.access_token };
}
