import { describe, expect, it } from 'vitest'
import { roles } from '@/lib/auth/roles'
import { oidcRoleNames } from '@/lib/config/oidc-env'

describe("the single sign-on role map's role names", () => {
  it('are the roles of lib/auth/roles.ts (configuration cannot import them)', () => {
    expect([...oidcRoleNames]).toEqual([...roles])
  })
})
