import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // two cores: a few files at once, each with its own database
    maxWorkers: 3,
    pool: 'forks',
    reporters: ['default'],
  },
});
