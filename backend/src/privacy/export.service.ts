import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { UserDataRegistry } from '../common/user-data';
import { describeError } from '../logging/log-privacy';
import { DataSubjects } from './data-subjects';

/**
 * Writes everything the product holds about a user as one JSON document, part by part and
 * record by record as each part yields them: a long history is never in memory whole, and a
 * slow reader slows the reads (each write waits for the socket to drain).
 */
@Injectable()
export class ExportService {
  private readonly logger = new Logger(ExportService.name);

  constructor(
    private readonly subjects: DataSubjects,
    private readonly registry: UserDataRegistry,
  ) {}

  async write(externalId: string, res: Response): Promise<void> {
    // Found before the first byte, so an unknown user is a clean 404.
    const subject = await this.subjects.get(externalId);
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="user-export.json"');
    res.setHeader('Cache-Control', 'no-store');
    const put = async (text: string): Promise<void> => {
      if (res.destroyed) throw new Error('the reader went away');
      if (!res.write(text)) await drained(res);
    };
    try {
      await put(`{"format":"support-chat-export","version":1,"exported_at":${JSON.stringify(new Date().toISOString())},`);
      await put(`"external_id":${JSON.stringify(externalId)}`);
      for (const part of this.registry.list()) {
        if (!part.export) continue;
        await put(`,\n${JSON.stringify(part.name)}:[`);
        let first = true;
        for await (const record of part.export(subject)) {
          await put((first ? '\n' : ',\n') + JSON.stringify(record));
          first = false;
        }
        await put(']');
      }
      res.end('\n}\n');
    } catch (err) {
      // The status has gone out; cutting the connection is how the reader learns the document
      // is incomplete, rather than taking a truncated one for the whole.
      this.logger.warn(`an export stopped halfway: ${describeError(err)}`);
      res.destroy();
    }
  }
}

/** Resolves when the socket can take more, or is gone; leaves no listener behind either way. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
