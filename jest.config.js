/**
 * Two projects, one run: `npm test` runs both; `npm run test:fast` (jest --selectProjects=fast) runs the tests
 * that start no twin and no server, for a quick loop. ts-jest transpiles only; `npm run typecheck` type-checks.
 *
 * TWIN lists the test files that start servers (the twin, s3rver, the console, an HTTP stub): every other test
 * file is fast. test/no-servers.js keeps the list honest: in the fast project a server that starts fails the
 * test, naming this file.
 */
const TWIN = [
  '<rootDir>/test/e2e/.*\\.test\\.ts$',
  '<rootDir>/test/cli/(cli|docs-examples|timeouts)\\.test\\.ts$',
  '<rootDir>/test/local/console/(console|serve|call-flow-view|page-polling)\\.test\\.ts$',
  '<rootDir>/test/local/stepfunctions/(server|aws-sdk-invoker|conformance)\\.test\\.ts$',
  '<rootDir>/test/local/(?!(wav|call-flow)\\.test\\.ts$)[^/]*\\.test\\.ts$',
];

const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // @middy/core 6 ships ES modules only; jest runs CommonJS, so those files are transpiled too.
    '^.+/node_modules/@middy/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFiles: ['<rootDir>/test/setup-env.js'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'fast',
      testPathIgnorePatterns: ['/node_modules/', ...TWIN],
      setupFilesAfterEnv: ['<rootDir>/test/no-servers.js'],
    },
    { ...common, displayName: 'twin', testRegex: TWIN.map((p) => p.replace('<rootDir>/', '/')), testMatch: undefined },
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};
