import { Injectable } from '@nestjs/common';
import { sign } from 'jsonwebtoken';
import { DomainError } from '../common/domain-error';
import { RateLimiter } from '../common/rate-limiter.service';
import { AppConfigService } from '../config/app-config.service';
import { AdminsService } from './admins.service';
import { AGENT_AUDIENCE } from './identity';

export interface LoginResult {
  access_token: string;
  expires_in: number;
  admin: { id: string; email: string; name: string | null };
}

const LOGIN_ATTEMPTS = 10;
const LOGIN_WINDOW_MS = 15 * 60_000;

@Injectable()
export class AuthService {
  constructor(
    private readonly admins: AdminsService,
    private readonly config: AppConfigService,
    private readonly limiter: RateLimiter,
  ) {}

  async login(email: string, password: string, ip: string): Promise<LoginResult> {
    // Per address and email: guessing one account is slowed, colleagues behind one NAT are not.
    await this.limiter.consume(`login:${ip}:${email.trim().toLowerCase()}`, LOGIN_ATTEMPTS, LOGIN_WINDOW_MS);
    const admin = await this.admins.verify(email, password);
    if (!admin) throw new DomainError('unauthorized', 'Wrong email or password');
    const expiresIn = this.config.get('adminTokenTtlSeconds');
    const token = sign({ email: admin.email, name: admin.name }, this.config.get('adminJwtSecret'), {
      algorithm: 'HS256',
      audience: AGENT_AUDIENCE,
      subject: admin.id,
      expiresIn,
    });
    return { access_token: token, expires_in: expiresIn, admin: { id: admin.id, email: admin.email, name: admin.name } };
  }
}
