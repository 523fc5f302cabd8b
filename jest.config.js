/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The workflow code is bundled once per run and reused by every test file.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
};
