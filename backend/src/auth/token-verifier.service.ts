import { createSecretKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decode, verify, type JwtPayload, type VerifyOptions } from 'jsonwebtoken';
import { DomainError } from '../common/domain-error';
import { isStorableText } from '../common/text';
import { AppConfigService } from '../config/app-config.service';
import { keyFor } from '../config/key-ring';
import { AgentDirectory } from './agent-directory.service';
import { AGENT_AUDIENCE, USER_AUDIENCE, type AgentIdentity, type Identity, type UserIdentity } from './identity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]{1,200}@[^\s@]{1,200}$/;

/** Longer than any token a host signs; the same bound on every transport. */
export const MAX_TOKEN_LENGTH = 8192;

/** Pinned: `none` and every asymmetric algorithm are refused before any key is looked at. */
export const USER_VERIFY_OPTIONS: VerifyOptions = { algorithms: ['HS256'], audience: USER_AUDIENCE };
export const AGENT_VERIFY_OPTIONS: VerifyOptions = { algorithms: ['HS256'], audience: AGENT_AUDIENCE };

/**
 * The one place tokens are checked: the HTTP strategies and the socket handshake both call it,
 * so a token is accepted or refused the same way on every transport.
 */
@Injectable()
export class TokenVerifier {
  constructor(
    private readonly config: AppConfigService,
    private readonly directory: AgentDirectory,
  ) {}

  /**
   * Keys as KeyObjects, made once: given a string, the JWT library first tries to parse it as a
   * PEM public key and only then makes a secret of it, on every token it checks.
   */
  private readonly keyObjects = new Map<string, KeyObject>();

  /** The widget key a user token's header asks for (by `kid`), if there is one. */
  userKey(rawToken: string): KeyObject | undefined {
    const header = decode(rawToken, { complete: true })?.header;
    const secret = header ? keyFor(this.config.get('widgetKeys'), header.kid) : undefined;
    return secret === undefined ? undefined : this.keyObject(secret);
  }

  get agentKey(): KeyObject {
    return this.keyObject(this.config.get('adminJwtSecret'));
  }

  private keyObject(secret: string): KeyObject {
    let key = this.keyObjects.get(secret);
    if (!key) this.keyObjects.set(secret, (key = createSecretKey(Buffer.from(secret))));
    return key;
  }

  verifyUser(rawToken: string): UserIdentity {
    const key = this.userKey(rawToken);
    if (!key) throw new DomainError('unauthorized');
    return this.userFromClaims(this.verifyWith(rawToken, key, USER_VERIFY_OPTIONS));
  }

  verifyAgent(rawToken: string): AgentIdentity {
    return this.agentFromClaims(this.verifyWith(rawToken, this.agentKey, AGENT_VERIFY_OPTIONS));
  }

  /** A user or an agent, told apart by the audience the token was signed for. */
  identify(rawToken: unknown): Identity {
    if (typeof rawToken !== 'string' || rawToken.length === 0 || rawToken.length > MAX_TOKEN_LENGTH) {
      throw new DomainError('unauthorized');
    }
    const aud = (decode(rawToken) as JwtPayload | null)?.aud;
    return aud === AGENT_AUDIENCE ? this.verifyAgent(rawToken) : this.verifyUser(rawToken);
  }

  userFromClaims(claims: JwtPayload): UserIdentity {
    const { sub, email, name, exp, return_url: returnUrl } = claims;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw new DomainError('unauthorized');
    if (typeof email !== 'string' || !EMAIL.test(email)) throw new DomainError('unauthorized');
    if (typeof exp !== 'number') throw new DomainError('unauthorized');
    // Text Postgres cannot keep as signed: a NUL fails the upsert, and unpaired surrogates
    // would be stored as U+FFFD, so two different subs could become one user.
    if ([sub, email, name, returnUrl].some((v) => typeof v === 'string' && !isStorableText(v))) throw new DomainError('unauthorized');
    return {
      kind: 'user',
      sub,
      email,
      name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : null,
      returnUrl: typeof returnUrl === 'string' && isWebUrl(returnUrl) ? returnUrl : null,
      exp,
    };
  }

  /** Also refuses the token of a deactivated agent, or one issued before a password change. */
  agentFromClaims(claims: JwtPayload): AgentIdentity {
    const { sub, email, exp, sv } = claims;
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof email !== 'string' || typeof exp !== 'number') {
      throw new DomainError('unauthorized');
    }
    if (!this.directory.accepts(sub, sv)) throw new DomainError('unauthorized');
    return { kind: 'agent', adminId: sub, email, exp };
  }

  private verifyWith(rawToken: string, key: KeyObject, options: VerifyOptions): JwtPayload {
    try {
      const claims = verify(rawToken, key, options);
      if (typeof claims === 'string') throw new DomainError('unauthorized');
      return claims;
    } catch {
      throw new DomainError('unauthorized');
    }
  }
}

function isWebUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
