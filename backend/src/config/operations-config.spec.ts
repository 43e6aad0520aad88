import { ConfigError, loadConfig } from './app-config';

describe('operations configuration', () => {
  it('has defaults that suit one instance', () => {
    expect(loadConfig({})).toMatchObject({
      role: 'all',
      logLevel: 'info',
      metricsToken: null,
      shutdownTimeoutMs: 10_000,
      socketAdapter: 'streams',
      trustProxy: 'loopback',
    });
  });

  it('reads each variable', () => {
    expect(
      loadConfig({
        ROLE: 'worker',
        LOG_LEVEL: 'debug',
        METRICS_TOKEN: 't0k3n',
        SHUTDOWN_TIMEOUT_MS: '2500',
        SOCKET_ADAPTER: 'pubsub',
        TRUST_PROXY: 'uniquelocal, 203.0.113.0/24',
      }),
    ).toMatchObject({
      role: 'worker',
      logLevel: 'debug',
      metricsToken: 't0k3n',
      shutdownTimeoutMs: 2500,
      socketAdapter: 'pubsub',
      trustProxy: 'uniquelocal,203.0.113.0/24',
    });
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
  });

  it.each([
    ['ROLE', 'everything'],
    ['LOG_LEVEL', 'loud'],
    ['SHUTDOWN_TIMEOUT_MS', '-1'],
    ['SOCKET_ADAPTER', 'kafka'],
    ['TRUST_PROXY', 'everyone'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });
});
