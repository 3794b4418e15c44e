// Four projects, one per level where things can fail: pure unit tests, workflows under the
// time-skipping server, the stack against real servers, and the production shape (`cluster`:
// Temporal's own server on PostgreSQL with worker and API processes). The global setup provisions
// the Temporal binaries and one private PostgreSQL cluster for the whole run.
// openid-client and its two dependencies ship only ES modules, which Jest (before Node 24.9)
// cannot require: they alone of node_modules are compiled to CommonJS for the tests, as is.
const ES_MODULE_PACKAGES = ['openid-client', 'oauth4webapi', 'jose'];
const base = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    [`node_modules/(?:${ES_MODULE_PACKAGES.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022' }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(?:${ES_MODULE_PACKAGES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  globalSetup: '<rootDir>/test/global-setup.ts',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup-server-tests.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup-server-tests.ts'],
    },
    {
      // The production shape: Temporal's own server on PostgreSQL, worker and API processes.
      ...base,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/setup-server-tests.ts'],
    },
  ],
};
