import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { UserIdentity } from '../auth/identity';

/**
 * Users exist because a host application vouches for them: each verified token upserts its
 * `sub`, keeping email, name and return URL as the host last signed them.
 */
@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The user's id; one statement, and a write only when the token says something new. */
  async resolve(identity: UserIdentity): Promise<string> {
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO users (external_id, email, name, return_url)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (external_id) DO UPDATE
         SET email = EXCLUDED.email, name = EXCLUDED.name, return_url = EXCLUDED.return_url, updated_at = now()
         WHERE (users.email, users.name, users.return_url) IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.name, EXCLUDED.return_url)
       RETURNING id`,
      [identity.sub, identity.email, identity.name, identity.returnUrl],
    );
    if (rows.length) return rows[0].id;
    const [existing]: { id: string }[] = await this.db.query('SELECT id FROM users WHERE external_id = $1', [identity.sub]);
    return existing.id;
  }
}
