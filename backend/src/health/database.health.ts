import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Client } from 'pg';
import { AppConfigService } from '../config/app-config.service';

const TIMEOUT_MS = 1000;

/**
 * Up when Postgres answers on a connection of the check's own. Pinging through the app's pool
 * would queue behind a burst that has every pooled connection busy, and a load balancer would
 * then pull an instance that is slow but healthy, moving its burst onto the others.
 */
@Injectable()
export class DatabaseHealthIndicator implements OnModuleDestroy {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;

  constructor(
    private readonly config: AppConfigService,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'database') {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.connection().then((c) => c.query('SELECT 1')),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS))),
      ]);
      return indicator.up();
    } catch {
      // A connection that failed or hung is dropped; the next check opens a fresh one.
      this.drop();
      return indicator.down('unreachable');
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleDestroy(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.connecting = null;
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client({ connectionString: this.config.get('databaseUrl'), connectionTimeoutMillis: TIMEOUT_MS });
      // An error on an idle connection (Postgres restarting) must not crash the process.
      client.on('error', () => this.drop(client));
      try {
        await client.connect();
      } catch (err) {
        this.connecting = null;
        await client.end().catch(() => undefined);
        throw err;
      }
      this.client = client;
      this.connecting = null;
      return client;
    })();
    return this.connecting;
  }

  private drop(client = this.client): void {
    if (!client) return;
    if (this.client === client) this.client = null;
    this.connecting = null;
    client.end().catch(() => undefined);
  }
}
