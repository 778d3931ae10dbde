const { CEL_BUNDLE } = require('./test/support/global-setup');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Workspace packages are linked into node_modules but are TypeScript sources.
  transformIgnorePatterns: ['/node_modules/(?!@platform/)'],
  // An ES module only, which Jest cannot require: the global setup bundles it as CommonJS.
  moduleNameMapper: { '^@marcbachmann/cel-js$': CEL_BUNDLE },
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  setupFilesAfterEnv: ['<rootDir>/test/support/cleanup.ts', '<rootDir>/test/support/quiet-console.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
  // A worker exits on its own once its tests are done; one that has run CDK syntheses holds a heap of several hundred
  // MB, and freeing it takes longer than Jest's default 500 ms on a loaded 2-core machine, so Jest killed it and
  // printed a warning in passing runs. A worker kept alive by a leaked handle is still killed, and reported, after this.
  workerGracefulExitTimeout: 5000,
};
