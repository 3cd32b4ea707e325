import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ up to date for the CLI tests, and one real Chroma server for the whole run.
    globalSetup: ['test/support/global-build.ts', 'test/support/global-chroma.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep parallel files few so Chroma and the parser workers are not starved.
    maxWorkers: 2,
  },
});
