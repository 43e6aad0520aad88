import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { AgentIdentity, UserIdentity } from './identity';

export const CALLER_KIND = 'support:caller-kind';
export type CallerKind = 'public' | 'user' | 'agent' | 'admin';

/** No token needed. */
export const Public = () => SetMetadata(CALLER_KIND, 'public' satisfies CallerKind);
/** Only agents' console tokens; end-user routes are the default. */
export const ForAgents = () => SetMetadata(CALLER_KIND, 'agent' satisfies CallerKind);
/** Only agents whose role is `admin`; other agents get 403. */
export const ForAdmins = () => SetMetadata(CALLER_KIND, 'admin' satisfies CallerKind);

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request & { user: UserIdentity }>().user,
);
export const CurrentAgent = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request & { user: AgentIdentity }>().user,
);
