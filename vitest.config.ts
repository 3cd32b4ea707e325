import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Chroma server for the whole run (see test/support/global-chroma.ts).
    globalSetup: ['test/support/global-chroma.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep parallel files few so Chroma and the parser workers are not starved.
    maxWorkers: 2,
  },
});
