import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))
// VIRTNET_TEST_DB: a SQLite file, or a PostgreSQL URL whose ?schema= is this run's own (lib/test/integration-setup.ts).
const integrationDb = process.env.VIRTNET_TEST_DB ?? `${root}data/test/integration.db`
const integrationDatabaseUrl = /^postgres(ql)?:\/\//.test(integrationDb) ? integrationDb : `file:${integrationDb}`
const alias = {
  '@/': root,
  // lib modules import 'server-only' to keep them out of client bundles; tests run on the server side.
  'server-only': fileURLToPath(new URL('./lib/test/server-only-stub.ts', import.meta.url)),
}

export default defineConfig({
  test: {
    // Every suite runs in a random order, files and the tests inside each file, so no test can lean on what another
    // left behind. The run's first lines print the seed; `--sequence.seed=N` repeats that order (docs/testing.md).
    sequence: { shuffle: { files: true, tests: true } },
    projects: [
      {
        resolve: { alias },
        // Complete on its own: reads only what is in the repository (no *.conformance.ts here).
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'app/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        // Checks against libvirt's own test corpus, which lives outside the repository (../shared/conformance);
        // scripts/test-all.sh runs it only when the corpus is there (lib/test/fixtures/conformance-corpus.ts).
        test: { name: 'conformance', include: ['lib/**/*.conformance.ts'], environment: 'node' },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['lib/**/*.itest.ts', 'app/**/*.itest.ts', 'scripts/**/*.itest.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          globalSetup: ['lib/test/integration-setup.ts'],
          // The JSON log lines stay out of the test output unless asked for (app/action-logs.itest.ts turns them on).
          env: { DATABASE_URL: integrationDatabaseUrl, VIRTNET_LOG_LEVEL: process.env.VIRTNET_LOG_LEVEL ?? 'silent' },
        },
      },
    ],
  },
})
