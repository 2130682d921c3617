import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-process tests spawn node on the built CLI; fixtures are read from disk.
    testTimeout: 30_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
