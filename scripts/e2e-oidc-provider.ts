// A local OpenID provider for the end-to-end tests (oidc-provider, a dev dependency), on loopback only: the
// single-sign-on spec signs in through it, never through an outside service. Its dev interactions take any login
// name and password; the accounts below say which groups each name is in (VIRTNET_OIDC_ROLE_MAP maps them to roles).
// A spec changes a name's groups at the provider by writing the overrides file (e2e/oidc.ts).
//   npx tsx scripts/e2e-oidc-provider.ts <provider port> <dashboard port> <group overrides file>
import Provider from 'oidc-provider'
import { e2eOidc, readGroupOverrides } from '../e2e/oidc'

const [providerPort, dashboardPort] = process.argv.slice(2, 4).map(Number)
const overridesFile = process.argv[4]
if (!providerPort || !dashboardPort || !overridesFile)
  throw new Error('usage: e2e-oidc-provider.ts <provider port> <dashboard port> <group overrides file>')
const settings = e2eOidc(providerPort, dashboardPort)

const provider = new Provider(settings.issuer, {
  clients: [
    {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uris: [settings.redirectUrl],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  // the dashboard must use PKCE with S256 (refused otherwise)
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['preferred_username', 'groups'] },
  async findAccount(_context: unknown, id: string) {
    return {
      accountId: id,
      claims: async () => ({
        sub: id,
        preferred_username: id,
        groups: readGroupOverrides(overridesFile)[id] ?? settings.groupsOf(id),
      }),
    }
  },
  // test keys only: this provider lives as long as one e2e run
  cookies: { keys: ['virtnet-e2e-oidc-cookie-key'] },
})
provider.proxy = false
provider.listen(providerPort, '127.0.0.1', () => {
  console.log(`local OpenID provider on ${settings.issuer}`)
})
