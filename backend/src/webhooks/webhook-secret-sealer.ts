import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { describeError } from '../logging/log-privacy';
import { SecretBox } from './secret-box';

/**
 * At start-up, seals the signing secrets stored before sealing, and seals again with the first
 * key those sealed with a previous one, so a rotation of SECRETS_KEY completes once every
 * instance runs the new list. Each row is replaced only if it is still what was read: instances
 * starting together both do it, harmlessly.
 */
@Injectable()
export class WebhookSecretSealer implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookSecretSealer.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly box: SecretBox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const resealed = await this.reseal();
      if (resealed) this.logger.log(`sealed ${resealed} webhook signing secret(s) with the first key of SECRETS_KEY`);
    } catch (err) {
      this.logger.error(`could not seal webhook signing secrets: ${describeError(err)}`);
    }
  }

  async reseal(): Promise<number> {
    const rows: { id: string; secret: string }[] = await this.db.query(`SELECT id, secret FROM webhook_secrets`);
    let resealed = 0;
    for (const row of rows) {
      if (!this.box.needsResealing(row.secret)) continue;
      let plain: string;
      try {
        plain = this.box.open(row.secret);
      } catch {
        this.logger.warn(`a webhook signing secret cannot be opened with the keys in SECRETS_KEY; it stays as it is`);
        continue;
      }
      const [, count]: [unknown, number] = await this.db.query(`UPDATE webhook_secrets SET secret = $2 WHERE id = $1 AND secret = $3`, [
        row.id,
        this.box.seal(plain),
        row.secret,
      ]);
      resealed += count;
    }
    return resealed;
  }
}
