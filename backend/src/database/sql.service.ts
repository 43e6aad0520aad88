import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/** A statement the server runs often enough to have Postgres plan it once per connection. */
export interface Statement {
  /** Unique per text: Postgres keys a connection's prepared statements by it. */
  name: string;
  text: string;
}

/**
 * The hot path's door to Postgres: named (prepared) statements straight on the pool TypeORM
 * opened, so a message costs one parse-free round trip and no ORM work. Everything else keeps
 * using TypeORM's `DataSource`.
 */
@Injectable()
export class Sql {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async run<Row>(statement: Statement, values: unknown[]): Promise<Row[]> {
    const result = await this.pool().query({ name: statement.name, text: statement.text, values });
    return result.rows as Row[];
  }

  private pool(): Pool {
    // TypeORM's Postgres driver keeps its pg Pool as `master` once the data source is up.
    const pool = (this.db.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('the database pool is not open');
    return pool;
  }
}
