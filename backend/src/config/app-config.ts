import { parseKeyRing, type KeyRing } from './key-ring';

/** Everything the server reads from its environment, typed and checked once at boot. */
export interface AppConfig {
  nodeEnv: string;
  production: boolean;
  port: number;
  databaseUrl: string;
  /** Postgres connections this instance keeps open. */
  dbPoolSize: number;
  redisUrl: string;
  widgetKeys: KeyRing;
  adminJwtSecret: string;
  adminTokenTtlSeconds: number;
  adminEmail: string | null;
  adminPassword: string | null;
  smtpUrl: string | null;
  mailFrom: string;
  notifyDelayMs: number;
  /** First retry delay of a failed email (doubling after), and how many tries in all. */
  notifyRetryDelayMs: number;
  notifyMaxAttempts: number;
  /** How often every instance looks for due replies whose job Redis lost. */
  notifySweepIntervalMs: number;
  publicUrl: string;
  appUrl: string;
  appName: string;
  allowedOrigins: '*' | string[];
  demoMode: boolean;
  /** Messages a single user or agent may send per window before hearing `rate_limited`. */
  messageRateLimit: number;
  messageRateWindowMs: number;
  /** Prefix for every Redis key and Bull queue, so instances of one deployment share them. */
  redisPrefix: string;
  /** What this process runs: everything, only the API and socket, or only the email queue worker. */
  role: AppRole;
  logLevel: LogLevel;
  /** When set, `/metrics` wants `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /** How long a SIGTERM waits for in-flight requests and acks before closing anyway. */
  shutdownTimeoutMs: number;
  socketAdapter: SocketAdapterKind;
  /** How often each instance renews its agents' presence; a silent instance's agents go offline after 3 of these. */
  presenceHeartbeatMs: number;
  /** An agent with a console open but no activity for this long shows as away. */
  agentIdleAwayMs: number;
  /** With auto-assignment on, an agent offline this long has their open chats returned to the queue. */
  assignmentGraceMs: number;
  /** Express's `trust proxy`: which hops' X-Forwarded-For to believe for the client's address. */
  trustProxy: string | number;
  /** Outbound webhooks: one attempt's deadline, how long a delivery is retried, how long an endpoint may fail before it is disabled. */
  webhookTimeoutMs: number;
  webhookRetryForMs: number;
  webhookDisableAfterMs: number;
  /** The first retry's backoff ceiling (full jitter below it), doubling per failure up to an hour. */
  webhookBackoffBaseMs: number;
  /** Lets webhooks target loopback, private and link-local addresses (tests, an all-internal network). */
  webhookAllowPrivate: boolean;
  /** Keys that seal stored webhook secrets: the first seals, the others only open (a rotation). */
  secretsKeys: string[];
  /** Archived chats whose last message is older than this many days are deleted daily; null keeps them forever. */
  retentionDays: number | null;
  /** Chats deleted per retention transaction, so no run holds locks for long. */
  retentionBatchSize: number;
}

export const APP_ROLES = ['all', 'api', 'worker'] as const;
export type AppRole = (typeof APP_ROLES)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const SOCKET_ADAPTERS = ['streams', 'pubsub'] as const;
export type SocketAdapterKind = (typeof SOCKET_ADAPTERS)[number];

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`${variable}: ${problem}`);
  }
}

export const DEV_WIDGET_SECRET = 'dev-widget-secret-change-me-0123456789';
export const DEV_ADMIN_SECRET = 'dev-admin-secret-change-me-0123456789';
const DEV_ADMIN_EMAIL = 'admin@example.com';
const DEV_ADMIN_PASSWORD = 'admin';

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env): AppConfig {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const nodeEnv = read('NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';
  const port = int(read('PORT'), 'PORT', 3000, 0, 65535);
  const publicUrl = stripSlash(url(read('PUBLIC_URL'), 'PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:']));

  const widgetSecret = read('WIDGET_JWT_SECRET');
  const adminSecret = read('ADMIN_JWT_SECRET');
  if (production && (!widgetSecret || widgetSecret.includes(DEV_WIDGET_SECRET))) {
    throw new ConfigError('WIDGET_JWT_SECRET', 'must be set to your own secret in production');
  }
  if (production && (!adminSecret || adminSecret === DEV_ADMIN_SECRET)) {
    throw new ConfigError('ADMIN_JWT_SECRET', 'must be set to your own secret in production');
  }
  const widgetKeys = parseKeyRing(widgetSecret ?? DEV_WIDGET_SECRET, production);
  const adminJwtSecret = adminSecret ?? DEV_ADMIN_SECRET;
  if (production && adminJwtSecret.length < 32) {
    throw new ConfigError('ADMIN_JWT_SECRET', 'must be at least 32 characters in production');
  }

  // Unset, the admin secret (required in production) seals too; SECRETS_KEY lets either rotate alone.
  const secretsKey = read('SECRETS_KEY');
  const secretsKeys = secretsKey === undefined ? [adminJwtSecret] : secretsKey.split(',').map((k) => k.trim());
  if (secretsKey !== undefined && secretsKeys.some((k) => k.length < 32)) {
    throw new ConfigError('SECRETS_KEY', 'expected a comma list of keys of at least 32 characters each');
  }

  const adminEmail = read('ADMIN_EMAIL') ?? (production ? null : DEV_ADMIN_EMAIL);
  const adminPassword = read('ADMIN_PASSWORD') ?? (production ? null : DEV_ADMIN_PASSWORD);
  if (adminEmail !== null && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('ADMIN_EMAIL', 'is not an email address');
  }
  if (production && adminPassword !== null && adminPassword.length < 12) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 12 characters in production');
  }

  const origins = read('ALLOWED_ORIGINS');
  let allowedOrigins: '*' | string[];
  if (origins === '*') {
    if (production) throw new ConfigError('ALLOWED_ORIGINS', '"*" is refused in production; list the origins');
    allowedOrigins = '*';
  } else if (origins) {
    allowedOrigins = origins.split(',').map((o) => origin(o.trim(), 'ALLOWED_ORIGINS'));
  } else {
    allowedOrigins = [new URL(publicUrl).origin];
  }

  const smtpUrl = read('SMTP_URL') ?? null;
  if (smtpUrl !== null) url(smtpUrl, 'SMTP_URL', '', ['smtp:', 'smtps:']);

  return {
    nodeEnv,
    production,
    port,
    databaseUrl: url(read('DATABASE_URL'), 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/support_chat', [
      'postgres:',
      'postgresql:',
    ]),
    // Enough to keep two cores busy while a few sends wait on a chat's lock; Postgres's default
    // 100 connections then fit about eight instances.
    dbPoolSize: int(read('DB_POOL_SIZE'), 'DB_POOL_SIZE', 10, 1, 1000),
    redisUrl: url(read('REDIS_URL'), 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    widgetKeys,
    adminJwtSecret,
    adminTokenTtlSeconds: int(read('ADMIN_TOKEN_TTL_SECONDS'), 'ADMIN_TOKEN_TTL_SECONDS', 12 * 3600, 60, 30 * 86400),
    adminEmail,
    adminPassword,
    smtpUrl,
    mailFrom: read('MAIL_FROM') ?? 'support@example.com',
    notifyDelayMs: int(read('NOTIFY_DELAY_MS'), 'NOTIFY_DELAY_MS', 300_000, 0, 7 * 86_400_000),
    notifyRetryDelayMs: int(read('NOTIFY_RETRY_DELAY_MS'), 'NOTIFY_RETRY_DELAY_MS', 30_000, 10, 86_400_000),
    notifyMaxAttempts: int(read('NOTIFY_MAX_ATTEMPTS'), 'NOTIFY_MAX_ATTEMPTS', 6, 1, 50),
    notifySweepIntervalMs: int(read('NOTIFY_SWEEP_INTERVAL_MS'), 'NOTIFY_SWEEP_INTERVAL_MS', 60_000, 100, 86_400_000),
    publicUrl,
    appUrl: stripSlash(url(read('APP_URL'), 'APP_URL', publicUrl, ['http:', 'https:'])),
    appName: read('APP_NAME') ?? 'Support',
    allowedOrigins,
    demoMode: bool(read('DEMO_MODE'), 'DEMO_MODE', !production),
    messageRateLimit: int(read('MESSAGE_RATE_LIMIT'), 'MESSAGE_RATE_LIMIT', 30, 1, 100_000),
    messageRateWindowMs: int(read('MESSAGE_RATE_WINDOW_MS'), 'MESSAGE_RATE_WINDOW_MS', 10_000, 100, 3_600_000),
    redisPrefix: read('REDIS_PREFIX') ?? 'support-chat',
    role: oneOf(read('ROLE'), 'ROLE', APP_ROLES, 'all'),
    logLevel: oneOf(read('LOG_LEVEL'), 'LOG_LEVEL', LOG_LEVELS, 'info'),
    metricsToken: read('METRICS_TOKEN') ?? null,
    shutdownTimeoutMs: int(read('SHUTDOWN_TIMEOUT_MS'), 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    socketAdapter: oneOf(read('SOCKET_ADAPTER'), 'SOCKET_ADAPTER', SOCKET_ADAPTERS, 'streams'),
    presenceHeartbeatMs: int(read('PRESENCE_HEARTBEAT_MS'), 'PRESENCE_HEARTBEAT_MS', 5_000, 100, 60_000),
    agentIdleAwayMs: int(read('AGENT_IDLE_AWAY_MS'), 'AGENT_IDLE_AWAY_MS', 600_000, 1_000, 86_400_000),
    assignmentGraceMs: int(read('ASSIGNMENT_GRACE_MS'), 'ASSIGNMENT_GRACE_MS', 300_000, 1_000, 86_400_000),
    trustProxy: trustProxy(read('TRUST_PROXY')),
    webhookTimeoutMs: int(read('WEBHOOK_TIMEOUT_MS'), 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    webhookRetryForMs: int(read('WEBHOOK_RETRY_FOR_MS'), 'WEBHOOK_RETRY_FOR_MS', 86_400_000, 1_000, 7 * 86_400_000),
    webhookDisableAfterMs: int(read('WEBHOOK_DISABLE_AFTER_MS'), 'WEBHOOK_DISABLE_AFTER_MS', 3 * 86_400_000, 1_000, 30 * 86_400_000),
    webhookBackoffBaseMs: int(read('WEBHOOK_BACKOFF_BASE_MS'), 'WEBHOOK_BACKOFF_BASE_MS', 5_000, 1, 3_600_000),
    webhookAllowPrivate: bool(read('WEBHOOK_ALLOW_PRIVATE'), 'WEBHOOK_ALLOW_PRIVATE', false),
    secretsKeys,
    retentionDays: read('RETENTION_DAYS') === undefined ? null : int(read('RETENTION_DAYS'), 'RETENTION_DAYS', 0, 1, 36_500),
    retentionBatchSize: int(read('RETENTION_BATCH_SIZE'), 'RETENTION_BATCH_SIZE', 500, 1, 10_000),
  };
}

/** A hop count, or a comma list of subnet names (loopback, linklocal, uniquelocal), addresses or CIDRs. */
function trustProxy(raw: string | undefined): string | number {
  if (raw === undefined) return 'loopback';
  if (/^\d+$/.test(raw)) return Number(raw);
  const item = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/;
  const items = raw.split(',').map((s) => s.trim());
  if (!items.every((s) => item.test(s))) {
    throw new ConfigError('TRUST_PROXY', 'expected a hop count or a comma list of loopback, linklocal, uniquelocal, addresses or CIDRs');
  }
  return items.join(',');
}

function oneOf<T extends string>(raw: string | undefined, name: string, allowed: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  const found = allowed.find((v) => v === raw);
  if (found === undefined) throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  return found;
}

function int(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

function bool(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function url(raw: string | undefined, name: string, fallback: string, protocols: string[]): string {
  const value = raw ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return value;
}

function origin(raw: string, name: string): string {
  const parsed = (() => {
    try {
      return new URL(raw);
    } catch {
      throw new ConfigError(name, `"${raw}" is not an origin such as https://app.example.com`);
    }
  })();
  if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== stripSlash(raw)) {
    throw new ConfigError(name, `"${raw}" is not an origin such as https://app.example.com`);
  }
  return parsed.origin;
}

function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
