import { Injectable } from '@nestjs/common';
import { sign, verify } from 'jsonwebtoken';
import { AppConfigService } from '../config/app-config.service';

const AUDIENCE = 'support-unsubscribe';

/** Signed links that stop the emails of one user; they never expire, as mail lingers. */
@Injectable()
export class UnsubscribeTokens {
  constructor(private readonly config: AppConfigService) {}

  create(userId: string): string {
    return sign({}, this.config.get('adminJwtSecret'), { algorithm: 'HS256', audience: AUDIENCE, subject: userId });
  }

  /** The user id the token names, or null for anything forged or malformed. */
  read(token: unknown): string | null {
    if (typeof token !== 'string' || token.length > 2048) return null;
    try {
      const claims = verify(token, this.config.get('adminJwtSecret'), { algorithms: ['HS256'], audience: AUDIENCE });
      return typeof claims === 'object' && typeof claims.sub === 'string' ? claims.sub : null;
    } catch {
      return null;
    }
  }

  url(userId: string): string {
    return `${this.config.get('publicUrl')}/api/unsubscribe?token=${encodeURIComponent(this.create(userId))}`;
  }
}
