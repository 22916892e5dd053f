// The local OpenID provider of the end-to-end tests (scripts/e2e-oidc-provider.ts) and the dashboard's settings for
// it, in one place: playwright.config.ts starts both with these.

import fs from 'node:fs'

export const e2eOidcPort = (dashboardPort: number) => dashboardPort + 1000

/** Groups the spec gives a login name for its next sign-in (a change at the provider), beside the e2e database. */
export const groupOverridesFile = (database: string) => `${database}.oidc-groups.json`

export function readGroupOverrides(file: string): Record<string, string[]> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string[]>
  } catch {
    return {}
  }
}

export function e2eOidc(providerPort: number, dashboardPort: number) {
  return {
    issuer: `http://127.0.0.1:${providerPort}`,
    clientId: 'virtnet-e2e',
    clientSecret: 'virtnet-e2e-client-secret-not-for-production',
    redirectUrl: `http://127.0.0.1:${dashboardPort}/api/auth/oidc/callback`,
    providerName: 'Local test provider',
    /** a login name's groups: "admin" in the name makes an admin, "op" an operator, anything else a stranger */
    groupsOf: (login: string) =>
      login.includes('admin') ? ['staff', 'virtnet-admins'] : login.includes('op') ? ['virtnet-ops'] : ['staff'],
    roleMap: 'virtnet-admins=admin,virtnet-ops=operator',
  }
}

/** The dashboard's environment for single sign-on through the local provider. */
export function e2eOidcEnv(dashboardPort: number): Record<string, string> {
  const settings = e2eOidc(e2eOidcPort(dashboardPort), dashboardPort)
  return {
    VIRTNET_OIDC_ISSUER: settings.issuer,
    VIRTNET_OIDC_CLIENT_ID: settings.clientId,
    VIRTNET_OIDC_CLIENT_SECRET: settings.clientSecret,
    VIRTNET_OIDC_REDIRECT_URL: settings.redirectUrl,
    VIRTNET_OIDC_PROVIDER_NAME: settings.providerName,
    VIRTNET_OIDC_ROLE_CLAIM: 'groups',
    VIRTNET_OIDC_ROLE_MAP: settings.roleMap,
  }
}
