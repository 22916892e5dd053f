import { defineConfig } from '@playwright/test'
import base from './playwright.config'
import { replicaPorts, replicaUrls, replicasDatabaseUrl } from './e2e/replicas/replicas'

/*
 * Two replicas of one production build on one PostgreSQL database (docs/scaling.md), exercised together by
 * e2e/replicas. scripts/test-all.sh runs this after the main e2e suite when PostgreSQL is there, and always in CI
 * (VIRTNET_REQUIRE_POSTGRES=1), where a missing PostgreSQL fails the first replica's start and so the stage.
 */
export default defineConfig({
  ...base,
  testDir: 'e2e/replicas',
  testIgnore: [],
  outputDir: 'test-results/e2e-replicas-artifacts',
  timeout: 300_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-replicas.json' }]],
  globalSetup: './e2e/replicas/global-setup.ts',
  use: { ...base.use, baseURL: replicaUrls[0] },
  webServer: replicaPorts.map((port, i) => ({
    command: `bash scripts/e2e-replica-server.sh ${port}${i === 0 ? '' : ` ${replicaPorts[0]}`}`,
    url: `${replicaUrls[i]}/login`,
    timeout: 240_000,
    reuseExistingServer: false,
    env: {
      DATABASE_URL: replicasDatabaseUrl,
      VIRTNET_REPLICA_NAME: `e2e-replica-${i + 1}`,
      VIRTNET_LOG_LEVEL: process.env.VIRTNET_LOG_LEVEL ?? 'error',
    },
    stdout: 'pipe' as const,
  })),
})
