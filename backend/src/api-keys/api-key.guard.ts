import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/domain-error';
import type { ApiKeyScope } from '../contracts/wire';
import { type ApiCaller, ApiKeysService } from './api-keys.service';

const SCOPE = 'support:api-key-scope';
/** The OpenAPI security scheme of the server API (registered in app.factory). */
export const API_KEY_SCHEME = 'api-key';

type ServerRequest = Request & { apiKey?: ApiCaller };

/**
 * The server API's only door: a live API key with the route's scope. The global token guard
 * steps aside (@Public), so no agent or user token is accepted here, and a key is no JWT, so it
 * opens nothing elsewhere. No key, a wrong one or a revoked one is 401; a key without the scope 403.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<ServerRequest>();
    const key = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const caller = key ? await this.keys.verify(key) : null;
    if (!caller) throw new DomainError('unauthorized', 'A valid API key is required: Authorization: Bearer sck_…');
    const scope = this.reflector.get<ApiKeyScope | undefined>(SCOPE, ctx.getHandler());
    if (!scope || !caller.scopes.includes(scope)) throw new DomainError('forbidden', `This API key lacks the "${scope}" scope`);
    req.apiKey = caller;
    return true;
  }
}

/** A server API route: an API key with `scope`, and nothing else, gets in. */
export const ForServers = (scope: ApiKeyScope) =>
  applyDecorators(
    Public(),
    SetMetadata(SCOPE, scope),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(API_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'No API key, or one that is wrong or revoked' }),
    ApiForbiddenResponse({ description: `The key lacks the \`${scope}\` scope` }),
  );

export const CurrentApiKey = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const caller = ctx.switchToHttp().getRequest<ServerRequest>().apiKey;
  if (!caller) throw new DomainError('unauthorized');
  return caller;
});
