import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { SupportChat, SupportMessage } from '../../src/contracts/wire';
import { emitAck, type TestApp, type TestSocket } from '../support/test-app';

/**
 * Every row of every table the server owns, as text: a hostile request is harmless only if
 * this is the same before and after it.
 */
export async function snapshot(t: TestApp): Promise<Record<string, string[]>> {
  const db = t.app.get(DataSource);
  const tables: { name: string }[] = await db.query(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows: { r: string }[] = await db.query(`SELECT x::text AS r FROM "${name}" x ORDER BY 1`);
    out[name] = rows.map((row) => row.r);
  }
  return out;
}

export interface Person {
  sub: string;
  token: string;
  chatId: string;
  /** The users table's id, another uuid an attacker could put where a chat id goes. */
  userId: string;
}

/** A user whose chat exists, with the user row's own id. */
export async function person(
  t: TestApp,
  claims: { sub?: string; email?: string; name?: string } = {},
  secret?: string,
): Promise<Person> {
  const sub = claims.sub ?? `p-${Math.random().toString(36).slice(2)}`;
  const token = t.userToken({ ...claims, sub }, secret ? { secret } : {});
  const res = await t.http<SupportChat>('/api/support_chat', { token });
  if (res.status !== 200) throw new Error(`could not open a chat: ${res.status} ${res.text}`);
  const [row]: { id: string }[] = await t.app.get(DataSource).query('SELECT id FROM users WHERE external_id = $1', [sub]);
  return { sub, token, chatId: res.body.id, userId: row.id };
}

export async function userSays(t: TestApp, p: Person, content: string): Promise<SupportMessage> {
  const res = await t.http('/api/support_chat/messages', { method: 'POST', token: p.token, body: { content } });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${res.text}`);
  return res.body as SupportMessage;
}

export async function agentSays(t: TestApp, chatId: string, content: string): Promise<SupportMessage> {
  const res = await t.http(`/api/admin/chats/${chatId}/messages`, { method: 'POST', token: await t.adminToken(), body: { content } });
  if (res.status !== 201) throw new Error(`reply failed: ${res.status} ${res.text}`);
  return res.body as SupportMessage;
}

export const sendOver = (socket: TestSocket, payload: unknown) => emitAck<{ message: SupportMessage }>(socket, 'send_message', payload);

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * A JWT with exactly the header asked for, signed HMAC-SHA256 with `secret` whatever the
 * header claims: jsonwebtoken would refuse to write the lies these tests need.
 */
export function craftToken(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export const unsignedToken = (header: Record<string, unknown>, payload: Record<string, unknown>, signature = '') =>
  `${b64(header)}.${b64(payload)}.${signature}`;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Status and body: two refusals are the same only if both are. */
export const answerOf = (res: { status: number; body: unknown }) => ({ status: res.status, body: res.body });
