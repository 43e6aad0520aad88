import type { Config } from 'jest';

// Nest 12 ships ESM only; swc turns it into CommonJS for Jest, which ts-jest cannot do.
const transform: Config['transform'] = {
  '^.+\\.(t|j|mj)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};
const transformIgnorePatterns = [
  '/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|uint8array-extras|@borewit)/)',
];
const shared = { transform, transformIgnorePatterns, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'mjs', 'json'] };

const config: Config = {
  // Real Postgres, Redis and bcrypt on a shared 2-core machine: generous, never a timing assertion.
  testTimeout: 30_000,
  // Every suite closes what it opens (leaks.e2e-spec.ts checks the server's own), but one of the
  // fault suites leaves a timer in Jest's process that outlives its run, and Jest would then wait
  // for it forever after the last result; it exits once every result is in instead.
  forceExit: true,
  projects: [
    { ...shared, displayName: 'unit', rootDir: 'backend/src', testMatch: ['**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      rootDir: 'backend/test',
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/support/global-setup.ts',
    },
  ],
};

export default config;
