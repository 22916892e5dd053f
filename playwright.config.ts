import path from 'node:path'
import { defineConfig } from '@playwright/test'
import { e2eOidcEnv, e2eOidcPort, groupOverridesFile } from './e2e/oidc'

export const e2ePort = Number(process.env.E2E_PORT ?? 3100)
export const e2eTrustedProxy = '127.0.0.2'
export const e2eDatabase = path.resolve(process.env.VIRTNET_E2E_DB ?? 'data/test/e2e.db')

// Debian's Chromium, never a downloaded browser; the flags keep it from calling out to Google's services.
export default defineConfig({
  testDir: 'e2e',
  // Two replicas on PostgreSQL have a configuration of their own (playwright.replicas.config.ts).
  testIgnore: 'replicas/**',
  // Playwright empties its output folder on start; keep it apart from the other suites' reports.
  outputDir: 'test-results/e2e-artifacts',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${e2ePort}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `bash scripts/e2e-server.sh ${e2ePort}`,
      url: `http://127.0.0.1:${e2ePort}/login`,
      timeout: 120_000,
      reuseExistingServer: false,
      // The HTTPS spec's nginx connects from 127.0.0.2 (e2e/https-proxy.spec.ts); every other client, the specs' own
      // posts included, is untrusted and its forwarding headers are ignored.
      env: {
        DATABASE_URL: `file:${e2eDatabase}`,
        VIRTNET_TRUSTED_PROXIES: e2eTrustedProxy,
        VIRTNET_LOG_LEVEL: process.env.VIRTNET_LOG_LEVEL ?? 'error',
        // single sign-on through the local OpenID provider below (e2e/sso.spec.ts)
        ...e2eOidcEnv(e2ePort),
      },
      stdout: 'pipe',
    },
    {
      // A local OpenID provider on loopback, never an outside service (scripts/e2e-oidc-provider.ts).
      command: `npx tsx scripts/e2e-oidc-provider.ts ${e2eOidcPort(e2ePort)} ${e2ePort} ${groupOverridesFile(e2eDatabase)}`,
      url: `http://127.0.0.1:${e2eOidcPort(e2ePort)}/.well-known/openid-configuration`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'pipe',
    },
  ],
})
