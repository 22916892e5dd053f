/**
 * Virtnet's roles as the role map may name them: lib/auth/roles.ts sits above configuration, so the names are
 * repeated here and lib/auth/oidc-roles.test.ts keeps the two lists equal.
 */
export const oidcRoleNames = ['admin', 'operator', 'auditor', 'selfservice'] as const
type Role = (typeof oidcRoleNames)[number]
const roles = oidcRoleNames
const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value)

// Single sign-on with OpenID Connect, configured by environment (docs/operating.md, "Single sign-on"). Either every
// required variable is set or none is; lib/config/env.ts validates them at boot with the rest.

export const oidcVariables = {
  issuer: 'VIRTNET_OIDC_ISSUER',
  clientId: 'VIRTNET_OIDC_CLIENT_ID',
  clientSecret: 'VIRTNET_OIDC_CLIENT_SECRET',
  redirectUrl: 'VIRTNET_OIDC_REDIRECT_URL',
  providerName: 'VIRTNET_OIDC_PROVIDER_NAME',
  roleClaim: 'VIRTNET_OIDC_ROLE_CLAIM',
  roleMap: 'VIRTNET_OIDC_ROLE_MAP',
  usernameClaim: 'VIRTNET_OIDC_USERNAME_CLAIM',
  secondFactor: 'VIRTNET_OIDC_SECOND_FACTOR',
} as const

const required = ['issuer', 'clientId', 'clientSecret', 'redirectUrl', 'roleClaim', 'roleMap'] as const

export type OidcSettings = {
  issuer: URL
  clientId: string
  clientSecret: string
  /** the dashboard's callback address as the browser reaches it (…/api/auth/oidc/callback) */
  redirectUrl: URL
  /** "Sign in with <providerName>" */
  providerName: string
  roleClaim: string
  /** claim value → role, in the order given: the first value the user's claim holds decides */
  roleMap: Array<{ value: string; role: Role }>
  usernameClaim: string
  /** 'policy': the per-role second-factor policy applies to SSO users too; 'off' (default): the provider's own does */
  secondFactor: 'policy' | 'off'
}

type Environment = Record<string, string | undefined>

/** "virtnet-admins=admin, ops=operator" → pairs; throws in words on a malformed entry or an unknown role. */
export function parseRoleMap(text: string): Array<{ value: string; role: Role }> {
  const pairs = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (!pairs.length) throw new Error(`${oidcVariables.roleMap} maps no claim value to a role`)
  return pairs.map((entry) => {
    const at = entry.lastIndexOf('=')
    const value = entry.slice(0, at).trim()
    const role = entry.slice(at + 1).trim()
    if (at <= 0 || !value) throw new Error(`${oidcVariables.roleMap}: "${entry}" is not of the form claim-value=role`)
    if (!isRole(role))
      throw new Error(`${oidcVariables.roleMap}: "${role}" in "${entry}" is not a role (${roles.join(', ')})`)
    return { value, role }
  })
}

export const isLoopback = (hostname: string) =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)

function httpUrl(name: string, value: string, problems: string[]): URL | null {
  try {
    const url = new URL(value)
    if (url.protocol === 'https:' || url.protocol === 'http:') return url
  } catch {
    // said below
  }
  problems.push(`${name} must be an http(s) URL, not "${value}"`)
  return null
}

/** The settings, null when single sign-on is not configured, or the problems in words. */
export function readOidcSettings(env: Environment): { settings: OidcSettings | null; problems: string[] } {
  const set = required.filter((key) => env[oidcVariables[key]])
  const optionalSet = (['providerName', 'usernameClaim', 'secondFactor'] as const).filter(
    (key) => env[oidcVariables[key]],
  )
  if (!set.length && !optionalSet.length) return { settings: null, problems: [] }
  const missing = required.filter((key) => !env[oidcVariables[key]])
  const problems = missing.map(
    (key) =>
      `${oidcVariables[key]} is not set; single sign-on needs ${required.map((k) => oidcVariables[k]).join(', ')}`,
  )
  const issuer = env.VIRTNET_OIDC_ISSUER ? httpUrl(oidcVariables.issuer, env.VIRTNET_OIDC_ISSUER, problems) : null
  const redirectUrl = env.VIRTNET_OIDC_REDIRECT_URL
    ? httpUrl(oidcVariables.redirectUrl, env.VIRTNET_OIDC_REDIRECT_URL, problems)
    : null
  // Tokens and the client secret travel to the issuer: plain HTTP only to this machine itself (a test provider).
  if (issuer && issuer.protocol === 'http:' && !isLoopback(issuer.hostname))
    problems.push(`${oidcVariables.issuer} must use https (plain http only on loopback, for a local test provider)`)
  if (redirectUrl && !redirectUrl.pathname.endsWith('/api/auth/oidc/callback'))
    problems.push(`${oidcVariables.redirectUrl} must end in /api/auth/oidc/callback (the dashboard's callback)`)
  let roleMap: OidcSettings['roleMap'] = []
  if (env.VIRTNET_OIDC_ROLE_MAP)
    try {
      roleMap = parseRoleMap(env.VIRTNET_OIDC_ROLE_MAP)
    } catch (error) {
      problems.push((error as Error).message)
    }
  const secondFactor = env.VIRTNET_OIDC_SECOND_FACTOR ?? 'off'
  if (secondFactor !== 'policy' && secondFactor !== 'off')
    problems.push(`${oidcVariables.secondFactor} must be "policy" or "off"`)
  if (problems.length || !issuer || !redirectUrl) return { settings: null, problems }
  return {
    settings: {
      issuer,
      clientId: env.VIRTNET_OIDC_CLIENT_ID!,
      clientSecret: env.VIRTNET_OIDC_CLIENT_SECRET!,
      redirectUrl,
      providerName: env.VIRTNET_OIDC_PROVIDER_NAME || issuer.host,
      roleClaim: env.VIRTNET_OIDC_ROLE_CLAIM!,
      roleMap,
      usernameClaim: env.VIRTNET_OIDC_USERNAME_CLAIM || 'preferred_username',
      secondFactor: secondFactor as OidcSettings['secondFactor'],
    },
    problems: [],
  }
}

/** The configured settings (null without single sign-on); throws when the environment is wrong (boot refused it). */
export function oidcSettings(env: Environment = process.env): OidcSettings | null {
  const { settings, problems } = readOidcSettings(env)
  if (problems.length) throw new Error(`Single sign-on is misconfigured: ${problems.join('; ')}`)
  return settings
}

/**
 * The role a user's claim maps to: the claim may hold one value or a list; the first pair of the map whose value the
 * claim holds decides. Null when none does (the sign-in is refused).
 */
export function mappedRole(claim: unknown, roleMap: OidcSettings['roleMap']): Role | null {
  const held = (Array.isArray(claim) ? claim : [claim]).filter((value): value is string | number | boolean =>
    ['string', 'number', 'boolean'].includes(typeof value),
  )
  const values = new Set(held.map(String))
  return roleMap.find((pair) => values.has(pair.value))?.role ?? null
}
