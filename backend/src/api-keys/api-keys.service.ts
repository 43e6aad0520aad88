import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import type { ApiKeyScope, ApiKeyView, CreatedApiKey } from '../contracts/wire';
import { describeError } from '../logging/log-privacy';
import { apiKeyHash, newApiKey, sameHash } from './api-key-secret';

/** The caller of a server API request, once its key checked out. */
export interface ApiCaller {
  keyId: string;
  name: string;
  scopes: ApiKeyScope[];
}

interface KeyRow {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  last4: string;
  created_at: Date;
  created_by_id: string | null;
  created_by_name: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const VIEW_COLUMNS = `k.id, k.name, k.scopes, k.last4, k.created_at, k.last_used_at, k.revoked_at,
  a.id AS created_by_id, COALESCE(a.name, split_part(a.email, '@', 1)) AS created_by_name`;
const VIEW_FROM = `support_api_keys k LEFT JOIN admins a ON a.id = k.created_by`;

/** A key's use is written at most this often; the console shows it to the minute. */
const TOUCH_EVERY_MS = 60_000;

function toView(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    last4: row.last4,
    created_at: row.created_at.toISOString(),
    created_by: row.created_by_id ? { id: row.created_by_id, name: row.created_by_name ?? '' } : null,
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

/**
 * Keys for the host application's backend. A key is shown once, when made; only its SHA-256
 * is kept. Checking one costs a query by that hash, so a revoke takes effect on the next request
 * on every instance.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  /** When this instance last wrote each key's `last_used_at`. */
  private readonly touched = new Map<string, number>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(): Promise<ApiKeyView[]> {
    const rows: KeyRow[] = await this.db.query(`SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id`);
    return rows.map(toView);
  }

  async create(name: string, scopes: ApiKeyScope[], adminId: string): Promise<CreatedApiKey> {
    const key = newApiKey();
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO support_api_keys (name, scopes, key_hash, last4, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [name.trim(), [...new Set(scopes)].sort(), apiKeyHash(key), key.slice(-4), adminId],
    );
    return { api_key: await this.get(row.id), key };
  }

  /** Idempotent: revoking a revoked key keeps its first revocation time. */
  async revoke(id: string): Promise<ApiKeyView> {
    const [, count]: [unknown, number] = await this.db.query(
      `UPDATE support_api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1`,
      [id],
    );
    if (!count) throw new DomainError('not_found', 'No such API key');
    return this.get(id);
  }

  /** The caller a bearer key names, or null when it is no live key (malformed, unknown or revoked). */
  async verify(key: string): Promise<ApiCaller | null> {
    const hash = apiKeyHash(key);
    if (!hash) return null;
    const [row]: { id: string; name: string; scopes: ApiKeyScope[]; key_hash: Buffer }[] = await this.db.query(
      `SELECT id, name, scopes, key_hash FROM support_api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    if (!row || !sameHash(row.key_hash, hash)) return null;
    this.touch(row.id);
    return { keyId: row.id, name: row.name, scopes: row.scopes };
  }

  private async get(id: string): Promise<ApiKeyView> {
    const [row]: KeyRow[] = await this.db.query(`SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE k.id = $1`, [id]);
    if (!row) throw new DomainError('not_found', 'No such API key');
    return toView(row);
  }

  /**
   * Records a use off the request's way, at most once a minute per key: per instance by memory,
   * across instances by the update's own condition.
   */
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    if (this.touched.size > 10_000) this.touched.clear();
    this.db
      .query(
        `UPDATE support_api_keys SET last_used_at = now()
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [id],
      )
      .catch((err: unknown) => this.logger.warn(`could not record an API key's use: ${describeError(err)}`));
  }
}
