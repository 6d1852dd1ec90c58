import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real serial lines, brokers and browsers: files run one after another so that one suite's
    // load never makes another's wire-time or latency check flaky on a 2-core machine.
    fileParallelism: false,
    // scrypt logins, chromium start-up and socat ptys take seconds on a busy machine
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
