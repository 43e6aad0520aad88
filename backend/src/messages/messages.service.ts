import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgentDirectory } from '../auth/agent-directory.service';
import { ChatEvents, type ChatEvent } from '../common/chat-events';
import { DomainError } from '../common/domain-error';
import type { AgentSupportMessage, SenderType, SupportMessage } from '../contracts/wire';
import { Sql, type Statement } from '../database/sql.service';

interface MessageRow {
  id: string;
  chat_id: string;
  content: string;
  sender_type: SenderType;
  read_at: Date | null;
  created_at: Date;
  client_id: string | null;
  admin_id: string | null;
  sender_name: string | null;
  private: boolean;
}

const COLUMNS = 'id, chat_id, content, sender_type, read_at, created_at, client_id, admin_id, sender_name, private';

export function toWire(row: MessageRow): AgentSupportMessage {
  return {
    id: row.id,
    chat_id: row.chat_id,
    content: row.content,
    sender_type: row.sender_type,
    read_at: row.read_at ? row.read_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    client_id: row.client_id,
    sender_name: row.sender_name,
    admin_id: row.admin_id,
    private: row.private,
  };
}

/**
 * A message as its user sees it over REST: which agent wrote it is the team's business. (Notes
 * never get this far: every user-facing read leaves them out in SQL.)
 */
export function forUser({ admin_id: _agent, private: _note, ...message }: AgentSupportMessage): SupportMessage {
  return message;
}

export interface NewMessage {
  chatId: string;
  senderType: SenderType;
  adminId: string | null;
  /** The agent's display name, kept with the message as it is now. */
  senderName: string | null;
  content: string;
  clientId: string | null;
  /** An internal note: agents only. */
  private?: boolean;
}

export interface SendResult {
  message: AgentSupportMessage;
  /** False when the `client_id` was already stored: this is that message, and nothing changed. */
  created: boolean;
  /** It joined a send of the same `client_id` still under way here, which relays the message itself. */
  joined?: boolean;
}

/** A row of `support_send_message`: the message, and the chat as the agents' list shows it. */
interface SendRow extends MessageRow {
  created: boolean;
  user_id: string;
  user_email: string;
  user_name: string | null;
  message_count: number;
  archived: boolean;
  unread: boolean;
  assignee_id: string | null;
  reopened: boolean;
  labels: string[];
  /** bigint, as pg returns it. */
  version: string;
  /** The list item's last message: this one, or for a note the newest message users see. */
  last_message_at: Date | null;
  last_message_preview: string | null;
  last_message_sender: SenderType | null;
  last_message_admin_id: string | null;
  last_message_sender_name: string | null;
}

const SEND: Statement = { name: 'support_send_message_v6', text: 'SELECT * FROM support_send_message($1, $2, $3, $4, $5, $6, $7)' };
const BY_CLIENT_ID: Statement = {
  name: 'support_message_by_client_id',
  text: `SELECT ${COLUMNS} FROM support_messages WHERE chat_id = $1 AND client_id = $2`,
};
const RECORD_VIEW: Statement = { name: 'support_record_view', text: 'SELECT * FROM support_record_view($1)' };

/** A stored message not yet published, and the sends in its chat it waits for. */
interface Held {
  seq: number;
  event: ChatEvent;
  /** Sends that were under way when this one's answer came: the only ones that can have committed before it. */
  after: Set<symbol>;
  /** Lets its send answer: never before the message is relayed. */
  release: () => void;
}

@Injectable()
export class MessagesService {
  /** Per chat: the sends under way in this process, and what they stored but have not published. */
  private readonly chats = new Map<string, { running: Set<symbol>; held: Held[] }>();
  /** Sends under way by chat and client_id, so a resend while the first is queued joins it. */
  private readonly inFlight = new Map<string, Promise<SendResult>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sql: Sql,
    private readonly events: ChatEvents,
    private readonly agents: AgentDirectory,
  ) {}

  /**
   * Stores a message and publishes it once committed, in one round trip (see the
   * `support_send_message` migration): the chat row is locked while the message is stamped,
   * so within a chat `created_at` strictly increases in commit order, and a client that asks
   * for what came after its last message can never skip one that committed late.
   */
  async send(input: NewMessage): Promise<SendResult> {
    if (!input.clientId) return this.sendInOrder(input);
    // A client whose ack timed out resends with the same client_id. While the first is still
    // waiting for a connection, a second query would only lengthen the queue for the same row.
    const key = `${input.chatId}:${input.clientId}`;
    const first = this.inFlight.get(key);
    if (first) return { ...(await first), created: false, joined: true };
    const sent = this.sendInOrder(input);
    this.inFlight.set(key, sent);
    try {
      return await sent;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * Concurrent sends in one chat commit in the order of its row lock, but their answers come
   * back on different pool connections in whatever order the event loop reads them. A stored
   * message is therefore published once the sends that were under way when its answer came
   * have answered too, and in lock order (the chat's message_count): no client gets a later
   * message before an earlier one. Sends that start afterwards never hold it back. A held send
   * is answered only once relayed: an instance that dies in between has acknowledged nothing
   * its peers did not hear, and the sender, with no ack, resends.
   */
  private async sendInOrder(input: NewMessage): Promise<SendResult> {
    let chat = this.chats.get(input.chatId);
    if (!chat) this.chats.set(input.chatId, (chat = { running: new Set(), held: [] }));
    const self = Symbol();
    chat.running.add(self);
    let outcome: { result: SendResult; publish: { seq: number; event: ChatEvent } | null } | undefined;
    let relayed: Promise<void> | undefined;
    try {
      outcome = await this.store(input);
    } finally {
      chat.running.delete(self);
      for (const held of chat.held) held.after.delete(self);
      if (outcome?.publish) {
        let release!: () => void;
        relayed = new Promise<void>((resolve) => (release = resolve));
        chat.held.push({ ...outcome.publish, after: new Set(chat.running), release });
        chat.held.sort((a, b) => a.seq - b.seq);
      }
      while (chat.held.length && chat.held[0].after.size === 0) {
        const next = chat.held.shift()!;
        this.events.publish(next.event);
        next.release();
      }
      if (!chat.running.size && !chat.held.length) this.chats.delete(input.chatId);
    }
    await relayed;
    // Assigned, or store() threw past the finally.
    return outcome!.result;
  }

  private async store(input: NewMessage): Promise<{ result: SendResult; publish: { seq: number; event: ChatEvent } | null }> {
    const [row] = await this.sql.run<SendRow>(SEND, [
      input.chatId,
      input.senderType,
      input.adminId,
      input.senderName,
      input.content,
      input.clientId,
      input.private ?? false,
    ]);
    if (!row) throw new DomainError('not_found', 'Chat not found');
    const message = toWire(row);
    let publish: { seq: number; event: ChatEvent } | null = null;
    if (row.created) {
      publish = {
        seq: Number(row.message_count),
        event: {
        kind: 'message_created',
        chatId: input.chatId,
        message,
        userEmail: row.user_email,
        chat: {
          id: input.chatId,
          user_id: row.user_id,
          user_email: row.user_email,
          user_name: row.user_name,
          last_message_at: row.last_message_at ? row.last_message_at.toISOString() : null,
          last_message_preview: row.last_message_preview,
          last_message_sender: row.last_message_sender,
          last_message_admin_id: row.last_message_admin_id,
          last_message_sender_name: row.last_message_sender_name,
          message_count: Number(row.message_count),
          unread: row.unread,
          archived: row.archived,
          assignee: this.agents.ref(row.assignee_id),
          labels: row.labels,
          version: Number(row.version),
        },
        reopened: row.reopened,
        },
      };
    }
    return { result: { message, created: row.created }, publish };
  }

  /** The message a sender already stored under `clientId`, if any. */
  async byClientId(chatId: string, clientId: string): Promise<AgentSupportMessage | null> {
    const [row] = await this.sql.run<MessageRow>(BY_CLIENT_ID, [chatId, clientId]);
    return row ? toWire(row) : null;
  }

  /**
   * An agent's view of a chat: everything up to its last message counts as seen, and those
   * user messages as read, in one transaction under the chat's lock, so a message arriving
   * meanwhile is either covered by both or by neither. False when the chat does not exist.
   */
  async recordAgentView(chatId: string): Promise<{ found: boolean; updated: number }> {
    const [row] = await this.sql.run<{ found: boolean; message_ids: string[]; read_at: Date | null }>(RECORD_VIEW, [chatId]);
    if (!row?.found) return { found: false, updated: 0 };
    if (row.message_ids.length && row.read_at) {
      this.events.publish({
        kind: 'messages_read',
        chatId,
        reader: 'admin',
        readAt: row.read_at.toISOString(),
        messageIds: row.message_ids,
      });
    }
    return { found: true, updated: row.message_ids.length };
  }

  /** The newest `limit` messages, or those before `before`; oldest first. `forUser` leaves notes out. */
  async page(
    chatId: string,
    before: string | undefined,
    limit = 50,
    forUser = false,
  ): Promise<{ messages: AgentSupportMessage[]; has_more: boolean }> {
    const params: unknown[] = [chatId, limit + 1];
    let where = forUser ? 'chat_id = $1 AND NOT private' : 'chat_id = $1';
    if (before) {
      const anchor = await this.anchor(chatId, before, forUser);
      params.push(anchor.created_at, anchor.id);
      where += ' AND (created_at, id) < ($3, $4)';
    }
    const rows: MessageRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM support_messages WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    const has_more = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toWire), has_more };
  }

  /** What came after `after`, oldest first: the catch-up after a reconnect. `forUser` leaves notes out. */
  async after(chatId: string, after: string, limit = 1000, forUser = false): Promise<AgentSupportMessage[]> {
    const anchor = await this.anchor(chatId, after, forUser);
    const rows: MessageRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM support_messages WHERE chat_id = $1 AND (created_at, id) > ($2, $3)${forUser ? ' AND NOT private' : ''}
       ORDER BY created_at, id LIMIT $4`,
      [chatId, anchor.created_at, anchor.id, limit],
    );
    return rows.map(toWire);
  }

  /**
   * Marks the other side's messages read, up to `upTo` when given. Only rows already committed
   * are touched, so a message that arrives meanwhile stays unread.
   */
  async markRead(chatId: string, reader: SenderType, upTo?: string): Promise<number> {
    const written: SenderType = reader === 'user' ? 'admin' : 'user';
    const params: unknown[] = [chatId, written];
    // A user reads agents' replies, never their notes (nor learns of them by a receipt).
    let bound = reader === 'user' ? ' AND NOT private' : '';
    if (upTo) {
      const anchor = await this.anchor(chatId, upTo, reader === 'user');
      params.push(anchor.created_at);
      bound += ' AND created_at <= $3';
    }
    const [rows]: [{ id: string; read_at: Date }[], number] = await this.db.query(
      `UPDATE support_messages SET read_at = now(), updated_at = now()
       WHERE chat_id = $1 AND sender_type = $2 AND read_at IS NULL${bound}
       RETURNING id, read_at`,
      params,
    );
    if (rows.length) {
      this.events.publish({
        kind: 'messages_read',
        chatId,
        reader,
        readAt: rows[0].read_at.toISOString(),
        messageIds: rows.map((r) => r.id),
      });
    }
    return rows.length;
  }

  /** A user's anchor is never a note: to them it does not exist. */
  private async anchor(chatId: string, messageId: string, forUser = false): Promise<{ id: string; created_at: Date }> {
    const [anchor]: { id: string; created_at: Date }[] = await this.db.query(
      `SELECT id, created_at FROM support_messages WHERE id = $1 AND chat_id = $2${forUser ? ' AND NOT private' : ''}`,
      [messageId, chatId],
    );
    if (!anchor) throw new DomainError('invalid_content', 'No such message in this chat');
    return anchor;
  }
}
