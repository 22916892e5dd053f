import { describe, expect, it } from 'vitest'
import { InvalidEnvironmentError, validateEnv } from '@/lib/config/env'
import { mappedRole, parseRoleMap, readOidcSettings } from '@/lib/config/oidc-env'

const complete = {
  VIRTNET_OIDC_ISSUER: 'https://id.example.org/realms/lab',
  VIRTNET_OIDC_CLIENT_ID: 'virtnet',
  VIRTNET_OIDC_CLIENT_SECRET: 'a-client-secret',
  VIRTNET_OIDC_REDIRECT_URL: 'https://virtnet.example.org/api/auth/oidc/callback',
  VIRTNET_OIDC_ROLE_CLAIM: 'groups',
  VIRTNET_OIDC_ROLE_MAP: 'virtnet-admins=admin, virtnet-ops=operator,auditors=auditor',
}

function problems(env: Record<string, string>): string[] {
  try {
    validateEnv({}, env)
    return []
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems
    throw error
  }
}

describe('single sign-on settings', () => {
  it('are off without any variable, and read in full when complete', () => {
    expect(readOidcSettings({})).toEqual({ settings: null, problems: [] })
    const { settings } = readOidcSettings(complete)
    expect(settings).toMatchObject({
      providerName: 'id.example.org',
      usernameClaim: 'preferred_username',
      secondFactor: 'off',
      roleMap: [
        { value: 'virtnet-admins', role: 'admin' },
        { value: 'virtnet-ops', role: 'operator' },
        { value: 'auditors', role: 'auditor' },
      ],
    })
    expect(problems(complete)).toEqual([])
  })

  it('refuses at boot, in words, a half configuration, a bad URL and an unknown role', () => {
    expect(problems({ VIRTNET_OIDC_ISSUER: complete.VIRTNET_OIDC_ISSUER })).toContain(
      'VIRTNET_OIDC_CLIENT_ID is not set; single sign-on needs VIRTNET_OIDC_ISSUER, VIRTNET_OIDC_CLIENT_ID, VIRTNET_OIDC_CLIENT_SECRET, VIRTNET_OIDC_REDIRECT_URL, VIRTNET_OIDC_ROLE_CLAIM, VIRTNET_OIDC_ROLE_MAP',
    )
    expect(problems({ ...complete, VIRTNET_OIDC_ISSUER: 'id.example.org' })).toEqual([
      'VIRTNET_OIDC_ISSUER must be an http(s) URL, not "id.example.org"',
    ])
    expect(problems({ ...complete, VIRTNET_OIDC_REDIRECT_URL: 'https://virtnet.example.org/callback' })).toEqual([
      "VIRTNET_OIDC_REDIRECT_URL must end in /api/auth/oidc/callback (the dashboard's callback)",
    ])
    expect(problems({ ...complete, VIRTNET_OIDC_ISSUER: 'http://id.example.org/' })).toEqual([
      'VIRTNET_OIDC_ISSUER must use https (plain http only on loopback, for a local test provider)',
    ])
    expect(problems({ ...complete, VIRTNET_OIDC_ISSUER: 'http://127.0.0.1:4100' })).toEqual([])
    expect(problems({ ...complete, VIRTNET_OIDC_ROLE_MAP: 'virtnet-admins=root' })).toEqual([
      'VIRTNET_OIDC_ROLE_MAP: "root" in "virtnet-admins=root" is not a role (admin, operator, auditor, selfservice)',
    ])
    expect(problems({ ...complete, VIRTNET_OIDC_SECOND_FACTOR: 'always' })).toEqual([
      'VIRTNET_OIDC_SECOND_FACTOR must be "policy" or "off"',
    ])
  })

  it('reads a role map entry whose claim value holds "="', () => {
    expect(parseRoleMap('team=a=operator')).toEqual([{ value: 'team=a', role: 'operator' }])
    expect(() => parseRoleMap('=admin')).toThrow('"=admin" is not of the form claim-value=role')
    expect(() => parseRoleMap(' , ')).toThrow('maps no claim value to a role')
  })
})

describe('the role a claim maps to', () => {
  const roleMap = parseRoleMap('virtnet-admins=admin,virtnet-ops=operator')

  it('takes a single value or a list; the first pair of the map the claim holds decides', () => {
    expect(mappedRole('virtnet-ops', roleMap)).toBe('operator')
    expect(mappedRole(['staff', 'virtnet-ops', 'virtnet-admins'], roleMap)).toBe('admin')
  })

  it('maps nothing when no value matches, or the claim is missing or not a value', () => {
    expect(mappedRole(['staff'], roleMap)).toBeNull()
    expect(mappedRole(undefined, roleMap)).toBeNull()
    expect(mappedRole({ 'virtnet-admins': true }, roleMap)).toBeNull()
  })
})
