import { Injectable } from '@nestjs/common';
import { sign } from 'jsonwebtoken';
import { DomainError } from '../common/domain-error';
import { AppConfigService } from '../config/app-config.service';
import type { AgentRole } from './admin.entity';
import { AdminsService } from './admins.service';
import { AgentDirectory } from './agent-directory.service';
import { AGENT_AUDIENCE } from './identity';
import { LoginThrottle } from './login-throttle.service';

export interface LoginResult {
  access_token: string;
  expires_in: number;
  admin: { id: string; email: string; name: string | null; role: AgentRole };
}

@Injectable()
export class AuthService {
  constructor(
    private readonly admins: AdminsService,
    private readonly directory: AgentDirectory,
    private readonly config: AppConfigService,
    private readonly throttle: LoginThrottle,
  ) {}

  async login(email: string, password: string, ip: string): Promise<LoginResult> {
    // Counted before the (slow) password check, so simultaneous guesses each count.
    await this.throttle.attempt(email, ip);
    const admin = await this.admins.verify(email, password);
    if (!admin) throw new DomainError('unauthorized', 'Wrong email or password');
    await this.throttle.succeeded(email, ip);
    if (admin.deactivatedAt) throw new DomainError('unauthorized', 'This account is deactivated');
    await this.known(admin.id);
    return { ...this.issue(admin.id, admin.email, admin.name, admin.sessionVersion), admin: { id: admin.id, email: admin.email, name: admin.name, role: admin.role } };
  }

  /** A console token for this agent, valid until its session version moves on. */
  issue(id: string, email: string, name: string | null, sessionVersion: number): { access_token: string; expires_in: number } {
    const expiresIn = this.config.get('adminTokenTtlSeconds');
    const token = sign({ email, name, sv: sessionVersion }, this.config.get('adminJwtSecret'), {
      algorithm: 'HS256',
      audience: AGENT_AUDIENCE,
      subject: id,
      expiresIn,
    });
    return { access_token: token, expires_in: expiresIn };
  }

  /** The directory must know an agent before their first token is checked. */
  async known(id: string): Promise<void> {
    if (!this.directory.get(id)) await this.directory.reload();
  }
}
