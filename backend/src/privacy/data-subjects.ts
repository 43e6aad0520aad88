import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import type { DataSubject } from '../common/user-data';

/** Finds the person an export or erase is about by the `sub` the host application knows them by. */
@Injectable()
export class DataSubjects {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(externalId: string): Promise<DataSubject | null> {
    const [row]: { id: string; email: string; chat_id: string | null }[] = await this.db.query(
      `SELECT u.id, u.email, c.id AS chat_id FROM users u LEFT JOIN support_chats c ON c.user_id = u.id WHERE u.external_id = $1`,
      [externalId],
    );
    return row ? { userId: row.id, externalId, email: row.email, chatId: row.chat_id } : null;
  }

  async get(externalId: string): Promise<DataSubject> {
    const subject = await this.find(externalId);
    if (!subject) throw new DomainError('not_found', 'No user with this external_id');
    return subject;
  }
}
