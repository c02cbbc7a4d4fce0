import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build (no "exports" map, so "main"); Vite would pick the
    // "module" build for our files, and two graphql instances break `instanceof` checks.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Builds GraphiQL's bundle and dist/ when missing or stale: the tests serve and start them.
    globalSetup: ['test/support/buildSetup.ts'],
    // Tests start real HTTP servers on 127.0.0.1; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
