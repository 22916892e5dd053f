import 'server-only'
import { randomBytes } from 'node:crypto'
import { cookies } from 'next/headers'
import * as oidc from 'openid-client'
import { db } from '@/lib/db/client'
import { mappedRole, oidcSettings, type OidcSettings } from '@/lib/config/oidc-env'
import { hashPassword } from '@/lib/auth/password'
import { createSession, endSessionsOf } from '@/lib/auth/session'
import { requestClient } from '@/lib/auth/client'
import { recordAudit } from '@/lib/audit/record'
import { openSecret, sealSecret } from '@/lib/users/secret-box'

/*
 * Single sign-on with OpenID Connect (openid-client): the authorization code flow with PKCE, state and nonce. What the
 * flow must remember between the two legs (verifier, state, nonce) travels in a cookie sealed under the secret box
 * (lib/users/secret-box.ts), so the browser can neither read nor change it and no table keeps half-finished sign-ins.
 * The first sign-in creates the user with the role the configured claim maps to; later ones update the role; a user
 * whose claim maps to no role, or who is disabled in Virtnet, is refused.
 */

const flowCookie = 'virtnet_oidc_flow'
const flowPath = '/api/auth/oidc'
const flowMs = 10 * 60 * 1000
const purpose = 'oidc flow'

// Discovery once per process and configuration; a failure is forgotten, so the next sign-in asks the issuer again.
const cache = globalThis as unknown as { virtnetOidc?: { key: string; config: Promise<oidc.Configuration> } }

function configuration(settings: OidcSettings): Promise<oidc.Configuration> {
  const key = `${settings.issuer.href} ${settings.clientId}`
  if (cache.virtnetOidc?.key === key) return cache.virtnetOidc.config
  // Plain http is allowed by the boot check only towards a loopback issuer (a local test provider).
  const options = settings.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined
  const config = oidc.discovery(settings.issuer, settings.clientId, settings.clientSecret, undefined, options)
  cache.virtnetOidc = { key, config }
  config.catch(() => {
    if (cache.virtnetOidc?.config === config) cache.virtnetOidc = undefined
  })
  return config
}

/** The provider's name for the sign-in page's button, or null without single sign-on. */
export function ssoProviderName(): string | null {
  return oidcSettings()?.providerName ?? null
}

/** The first leg: remembers the flow's secrets in the sealed cookie and returns the provider's sign-in address. */
export async function startSso(): Promise<URL> {
  const settings = oidcSettings()
  if (!settings) throw new Error('Single sign-on is not configured.')
  const config = await configuration(settings)
  const flow = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() }
  const jar = await cookies()
  jar.set(flowCookie, sealSecret(purpose, flowCookie, JSON.stringify({ ...flow, at: Date.now() })), {
    httpOnly: true,
    // lax: the provider's redirect back is a top-level GET from its site, which lax lets through
    sameSite: 'lax',
    secure: settings.redirectUrl.protocol === 'https:' || (await requestClient()).https,
    path: flowPath,
    maxAge: flowMs / 1000,
  })
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUrl.href,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    state: flow.state,
    nonce: flow.nonce,
  })
}

/** Why a single sign-on was refused; the sign-in page words each (app/login/sso-refusals.ts). */
export type SsoRefusal = 'expired' | 'failed' | 'no-role' | 'bad-username' | 'name-taken' | 'disabled'

export type SsoResult = { outcome: 'signed-in'; pendingFactor: boolean } | { outcome: 'refused'; reason: SsoRefusal }

/**
 * The second leg, on the provider's redirect back: the code is exchanged (state, nonce and PKCE checked by
 * openid-client), the claims read, the user created or updated, a session started. Audited either way.
 */
export async function finishSso(callbackSearch: string): Promise<SsoResult> {
  const settings = oidcSettings()
  if (!settings) throw new Error('Single sign-on is not configured.')
  const clientIp = (await requestClient()).address
  const provider = settings.providerName
  const refuse = async (reason: SsoRefusal, error: string, username = '(unknown)', id: string | null = null) => {
    await recordAudit({
      actor: { id, username },
      action: 'auth.sso',
      params: { provider, clientIp, username },
      result: 'refused',
      error,
    })
    return { outcome: 'refused', reason } as const
  }

  const jar = await cookies()
  const box = jar.get(flowCookie)?.value
  // One use: whatever happens next, this flow is over.
  jar.set(flowCookie, '', { path: flowPath, maxAge: 0 })
  let flow: { verifier: string; state: string; nonce: string; at: number } | null = null
  try {
    flow = box ? JSON.parse(openSecret(purpose, flowCookie, box)) : null
  } catch {
    flow = null
  }
  if (!flow || flow.at + flowMs < Date.now())
    return refuse('expired', 'No sign-in under way in this browser, or it took longer than 10 minutes')

  let claims: Record<string, unknown>
  try {
    const config = await configuration(settings)
    // The address the provider redirected to, as registered (behind a proxy the request's own URL differs).
    const callback = new URL(settings.redirectUrl)
    callback.search = callbackSearch
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    })
    claims = { ...tokens.claims()! }
    // Many providers put groups and names in the userinfo answer only.
    if (!(settings.roleClaim in claims) || !(settings.usernameClaim in claims)) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, String(claims.sub))
      claims = { ...info, ...claims }
    }
  } catch (error) {
    return refuse('failed', `The provider's answer was refused: ${(error as Error).message}`)
  }

  const username = claims[settings.usernameClaim]
  if (typeof username !== 'string' || !/^[a-zA-Z0-9._-]{1,64}$/.test(username))
    return refuse(
      'bad-username',
      `The ${settings.usernameClaim} claim (${JSON.stringify(username) ?? 'missing'}) is not a Virtnet user name`,
    )
  const role = mappedRole(claims[settings.roleClaim], settings.roleMap)
  const subject = `${String(claims.iss)} ${String(claims.sub)}`
  const existing = await db.user.findUnique({ where: { oidcSubject: subject } })
  if (!role)
    return refuse(
      'no-role',
      `The ${settings.roleClaim} claim (${JSON.stringify(claims[settings.roleClaim]) ?? 'missing'}) maps to no role`,
      username,
      existing?.id ?? null,
    )

  let user = existing
  let change: 'created' | 'role changed' | null = null
  if (!user) {
    if (await db.user.findUnique({ where: { username } }))
      return refuse(
        'name-taken',
        `A local user named ${username} exists; it does not sign in through ${provider}`,
        username,
      )
    // No password signs this user in: the hash is of random bytes nobody knows.
    const passwordHash = await hashPassword(randomBytes(32).toString('base64url'))
    user = await db.user.create({ data: { username, role, passwordHash, oidcSubject: subject } })
    change = 'created'
  } else {
    if (user.disabledAt) return refuse('disabled', 'The user is disabled in Virtnet', user.username, user.id)
    if (user.role !== role) {
      const before = user.role
      user = await db.user.update({ where: { id: user.id }, data: { role } })
      // As for any role change, the sessions granted on the old role end.
      await endSessionsOf(user.id)
      change = 'role changed'
      await recordAudit({
        actor: { id: user.id, username: user.username },
        action: 'user.role-from-sso',
        target: user.username,
        params: { provider, from: before, to: role },
        result: 'success',
      })
    }
  }
  const pendingFactor = settings.secondFactor === 'policy' && Boolean(user.totpEnabledAt)
  await createSession(user.id, { pendingFactor: pendingFactor ? 'totp' : undefined })
  await recordAudit({
    actor: { id: user.id, username: user.username },
    action: 'auth.sso',
    params: { provider, clientIp, username: user.username, role, ...(change && { change }) },
    result: 'success',
  })
  return { outcome: 'signed-in', pendingFactor }
}
