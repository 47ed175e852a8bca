import { defineConfig } from 'vitest/config';

// Two projects: `unit` (the library's own tests, under a minute after `npm run build`: `npm run test:unit`)
// and `integration` (the real CLI as a subprocess, headless Chromium, PyTorch, the full Fashion-MNIST).
// `npm test` runs both.
const integrationInSrc = [
  'src/**/torch-agreement.test.ts',
  'src/viz/report.test.ts',
  'src/data/real-data.test.ts',
  'src/web/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'], exclude: integrationInSrc } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts', ...integrationInSrc] } },
    ],
  },
});
