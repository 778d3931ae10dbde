/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Workspace packages are linked into node_modules but are TypeScript sources.
  transformIgnorePatterns: ['/node_modules/(?!@platform/)'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  setupFilesAfterEnv: ['<rootDir>/test/support/cleanup.ts', '<rootDir>/test/support/quiet-console.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
