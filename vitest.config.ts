import { defineConfig } from 'vitest/config';

// In CI, also write a JSON report so .ci/run can print the plain `N passed, N failed` closing line.
const ci = process.env.CI === 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ci ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
