import { ConfigError, DEV_WIDGET_SECRET, loadConfig } from './app-config';

const prodSecrets = {
  NODE_ENV: 'production',
  WIDGET_JWT_SECRET: 'w'.repeat(40),
  ADMIN_JWT_SECRET: 'a'.repeat(40),
  ALLOWED_ORIGINS: 'https://app.example.com',
};

describe('loadConfig', () => {
  it('runs with no configuration at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/support_chat',
      redisUrl: 'redis://127.0.0.1:6379',
      publicUrl: 'http://localhost:3000',
      appUrl: 'http://localhost:3000',
      allowedOrigins: ['http://localhost:3000'],
      demoMode: true,
      smtpUrl: null,
      notifyDelayMs: 300_000,
      mailFrom: 'support@example.com',
      adminEmail: 'admin@example.com',
      adminPassword: 'admin',
    });
    expect(c.widgetKeys.fallback).toBe(DEV_WIDGET_SECRET);
  });

  it('derives PUBLIC_URL from PORT and strips trailing slashes', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://support.example.com/' }).allowedOrigins).toEqual(['https://support.example.com']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'nope' }, 'REDIS_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ DEMO_MODE: 'yes' }, 'DEMO_MODE'],
    [{ NOTIFY_DELAY_MS: '-1' }, 'NOTIFY_DELAY_MS'],
    [{ ALLOWED_ORIGINS: 'https://a.example.com/path' }, 'ALLOWED_ORIGINS'],
    [{ ADMIN_EMAIL: 'not-an-email' }, 'ADMIN_EMAIL'],
    [{ WEBHOOK_TIMEOUT_MS: '10s' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ WEBHOOK_RETRY_FOR_MS: '10' }, 'WEBHOOK_RETRY_FOR_MS'],
    [{ WEBHOOK_DISABLE_AFTER_MS: '0' }, 'WEBHOOK_DISABLE_AFTER_MS'],
    [{ WEBHOOK_BACKOFF_BASE_MS: '0' }, 'WEBHOOK_BACKOFF_BASE_MS'],
    [{ WEBHOOK_ALLOW_PRIVATE: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE'],
    [{ SECRETS_KEY: 'too short' }, 'SECRETS_KEY'],
    [{ SECRETS_KEY: 'a key of at least thirty-two characters long,short' }, 'SECRETS_KEY'],
  ])('names the variable of a malformed value: %o', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}:`));
  });

  it('refuses the dev secrets and ALLOWED_ORIGINS=* in production', () => {
    expect(() => loadConfig({ ...prodSecrets, WIDGET_JWT_SECRET: undefined })).toThrow(/^WIDGET_JWT_SECRET/);
    expect(() => loadConfig({ ...prodSecrets, WIDGET_JWT_SECRET: DEV_WIDGET_SECRET })).toThrow(/^WIDGET_JWT_SECRET/);
    expect(() => loadConfig({ ...prodSecrets, ADMIN_JWT_SECRET: undefined })).toThrow(/^ADMIN_JWT_SECRET/);
    expect(() => loadConfig({ ...prodSecrets, WIDGET_JWT_SECRET: 'short' })).toThrow(/^WIDGET_JWT_SECRET/);
    expect(() => loadConfig({ ...prodSecrets, ALLOWED_ORIGINS: '*' })).toThrow(/^ALLOWED_ORIGINS/);
    expect(loadConfig({ ALLOWED_ORIGINS: '*' }).allowedOrigins).toBe('*');
  });

  it('sends webhooks with a 10 s deadline, retries for a day, disables after three, and only to public addresses by default', () => {
    expect(loadConfig({})).toMatchObject({
      webhookTimeoutMs: 10_000,
      webhookRetryForMs: 86_400_000,
      webhookDisableAfterMs: 259_200_000,
      webhookBackoffBaseMs: 5_000,
      webhookAllowPrivate: false,
    });
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_DISABLE_AFTER_MS: '3000' })).toMatchObject({
      webhookAllowPrivate: true,
      webhookDisableAfterMs: 3000,
    });
  });

  it('seals webhook secrets with SECRETS_KEY, the first of its keys first, or else with the admin secret', () => {
    expect(loadConfig({ ADMIN_JWT_SECRET: 'the admin secret, thirty-two characters' }).secretsKeys).toEqual([
      'the admin secret, thirty-two characters',
    ]);
    expect(loadConfig({ SECRETS_KEY: 'the new key of thirty-two characters long , the old key of thirty-two characters long' }).secretsKeys).toEqual([
      'the new key of thirty-two characters long',
      'the old key of thirty-two characters long',
    ]);
  });

  it('turns the dev conveniences off in production', () => {
    const c = loadConfig(prodSecrets);
    expect(c).toMatchObject({ production: true, demoMode: false, adminEmail: null, adminPassword: null });
  });
});
