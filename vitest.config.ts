import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // End-to-end tests open real SQLite files and local HTTP servers; a couple of workers keeps the
    // 2-core CI machine responsive.
    maxWorkers: 2,
  },
});
