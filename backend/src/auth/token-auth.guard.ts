import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';
import { AgentDirectory } from './agent-directory.service';
import { CALLER_KIND, type CallerKind } from './auth.decorators';
import type { AgentIdentity } from './identity';
import { MAX_TOKEN_LENGTH, TokenVerifier } from './token-verifier.service';

const UserGuard = AuthGuard('user-jwt');
const AgentGuard = AuthGuard('agent-jwt');

/**
 * Global: every route needs an end-user token unless marked @Public(), @ForAgents() or
 * @ForAdmins() (agents whose role is admin).
 * A valid token of the other kind is a 403, anything else a 401.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  private readonly user = new UserGuard();
  private readonly agent = new AgentGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly directory: AgentDirectory,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const kind =
      this.reflector.getAllAndOverride<CallerKind | undefined>(CALLER_KIND, [ctx.getHandler(), ctx.getClass()]) ?? 'user';
    if (kind === 'public') return true;
    const token = bearerToken(ctx.switchToHttp().getRequest<Request>());
    if (token !== undefined && token.length > MAX_TOKEN_LENGTH) throw new DomainError('unauthorized');
    const passed = await Promise.resolve((kind === 'user' ? this.user : this.agent).canActivate(ctx)).catch(() => false);
    if (passed && kind === 'admin') {
      const agent = ctx.switchToHttp().getRequest<Request & { user: AgentIdentity }>().user;
      if (this.directory.get(agent.adminId)?.role !== 'admin') throw new DomainError('forbidden', 'Only admins may do this');
    }
    if (passed) return true;
    const other = (() => {
      try {
        return this.verifier.identify(token);
      } catch {
        return null;
      }
    })();
    throw new DomainError(other ? 'forbidden' : 'unauthorized');
  }
}

/** Only `Authorization: Bearer <token>` carries a token: a bare or Basic one is no token at all (401). */
function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}
