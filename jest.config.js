/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // the console's views are TSX rendered by Preact on the server
  transform: {
    '^.+\\.tsx?$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic', importSource: 'preact' } },
        },
        // a dynamic import() stays one: ES-module packages (openid-client) are loaded by import()
        module: { type: 'commonjs', ignoreDynamic: true },
      },
    ],
  },
  // Once per run: the workflow bundle every test file reuses, and the PostgreSQL server.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  // a worker that ran many engines (each with its Temporal runtime and PGlite) is replaced once it holds
  // this much: a run of the whole suite saw one at 11.7 GB, its last file crawling
  workerIdleMemoryLimit: '2GB',
};
