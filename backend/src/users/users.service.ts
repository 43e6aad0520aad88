import { Injectable } from '@nestjs/common';
import type { UserIdentity } from '../auth/identity';
import { Sql, type Statement } from '../database/sql.service';

export interface ResolvedUser {
  userId: string;
  /** Null when the user has no chat yet and none was asked for. */
  chatId: string | null;
  /** True when this call made the chat. */
  chatCreated: boolean;
}

const RESOLVE: Statement = {
  name: 'support_resolve_user',
  text: 'SELECT user_id, chat_id, chat_created FROM support_resolve_user($1, $2, $3, $4, $5)',
};

/**
 * Users exist because a host application vouches for them: a verified token upserts its `sub`,
 * keeping email, name and return URL as the host last signed them. One round trip, and a write
 * only when the token says something new.
 */
@Injectable()
export class UsersService {
  constructor(private readonly sql: Sql) {}

  async resolve(identity: UserIdentity, createChat: boolean): Promise<ResolvedUser> {
    const [row] = await this.sql.run<{ user_id: string; chat_id: string | null; chat_created: boolean }>(RESOLVE, [
      identity.sub,
      identity.email,
      identity.name,
      identity.returnUrl,
      createChat,
    ]);
    return { userId: row.user_id, chatId: row.chat_id, chatCreated: row.chat_created };
  }
}
