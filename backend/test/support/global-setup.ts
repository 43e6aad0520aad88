import { Client } from 'pg';
import Redis from 'ioredis';

/** Fails fast, with a sentence, when the services the e2e tests need are not there. */
export default async function globalSetup(): Promise<void> {
  const pg = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  try {
    await pg.connect();
    await pg.query('SELECT 1');
  } catch {
    throw new Error('The e2e tests need PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth).');
  } finally {
    await pg.end().catch(() => undefined);
  }
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error('The e2e tests need Redis on 127.0.0.1:6379.');
  } finally {
    redis.disconnect();
  }
}
