import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';
import { CALLER_KIND, type CallerKind } from './auth.decorators';
import { TokenVerifier } from './token-verifier.service';

const UserGuard = AuthGuard('user-jwt');
const AgentGuard = AuthGuard('agent-jwt');

/**
 * Global: every route needs an end-user token unless marked @Public() or @ForAgents().
 * A valid token of the other kind is a 403, anything else a 401.
 */
@Injectable()
export class TokenAuthGuard implements CanActivate {
  private readonly user = new UserGuard();
  private readonly agent = new AgentGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const kind =
      this.reflector.getAllAndOverride<CallerKind | undefined>(CALLER_KIND, [ctx.getHandler(), ctx.getClass()]) ?? 'user';
    if (kind === 'public') return true;
    const passed = await Promise.resolve((kind === 'agent' ? this.agent : this.user).canActivate(ctx)).catch(() => false);
    if (passed) return true;
    const token = ctx.switchToHttp().getRequest<Request>().headers.authorization?.replace(/^Bearer\s+/i, '');
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
