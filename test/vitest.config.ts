import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end tests run the real SUSHI (several seconds per compile).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Two cores: SUSHI runs are heavy, keep test files from competing for them.
    fileParallelism: false,
  },
});
