import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { JwtPayload } from 'jsonwebtoken';
import type { AgentIdentity, UserIdentity } from './identity';
import { AGENT_VERIFY_OPTIONS, TokenVerifier, USER_VERIFY_OPTIONS } from './token-verifier.service';

/** End users: tokens the host application signed, with the key its `kid` names. */
@Injectable()
export class UserJwtStrategy extends PassportStrategy(Strategy, 'user-jwt') {
  constructor(private readonly verifier: TokenVerifier) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: USER_VERIFY_OPTIONS.algorithms,
      audience: USER_AUDIENCE_LIST,
      ignoreExpiration: false,
      secretOrKeyProvider: (_req: Request, rawToken: string, done: (err: Error | null, key?: string) => void) => {
        const key = verifier.userKey(rawToken);
        // A KeyObject, as for agents below.
        if (key) done(null, key as unknown as string);
        else done(new Error('unknown key'));
      },
    });
  }

  validate(claims: JwtPayload): UserIdentity {
    return this.verifier.userFromClaims(claims);
  }
}

/** Agents: tokens this server issued at login. */
@Injectable()
export class AgentJwtStrategy extends PassportStrategy(Strategy, 'agent-jwt') {
  constructor(private readonly verifier: TokenVerifier) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: AGENT_VERIFY_OPTIONS.algorithms,
      audience: AGENT_AUDIENCE_LIST,
      ignoreExpiration: false,
      // A KeyObject is what the JWT library checks with; the typings only name strings and buffers.
      secretOrKey: verifier.agentKey as unknown as string,
    });
  }

  validate(claims: JwtPayload): AgentIdentity {
    return this.verifier.agentFromClaims(claims);
  }
}

const USER_AUDIENCE_LIST = USER_VERIFY_OPTIONS.audience as string;
const AGENT_AUDIENCE_LIST = AGENT_VERIFY_OPTIONS.audience as string;
