import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { currentUser, sessionState } from '@/lib/auth/session'
import { sessionCookieName } from '@/lib/auth/cookie'
import { login, verifySecondFactor, startRequiredEnrolment, confirmRequiredEnrolment } from '@/app/login/actions'
import { confirmSecondFactorAction, startSecondFactorAction } from '@/app/(dashboard)/account/actions'
import { resetSecondFactorAction, setSecondFactorPolicyAction } from '@/app/(dashboard)/users/actions'
import { callAction, createTestUser, signIn, type TestUser } from '@/lib/test/server-actions'
import { request } from '@/lib/test/next-request'
import { totpCode } from '@/lib/users/totp'
import { openSecret } from '@/lib/users/secret-box'
import { throttle } from '@/lib/auth/rate-limit'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * The TOTP second factor through the real actions and the real database: set up on the Account page (a code confirms
 * it before it takes effect), the sign-in's second step (each code once, throttled, recovery codes single use), the
 * admin's reset and per-role policy, and the audit of each. Codes are made here from the secret, as an app would.
 */

const prefix = 'vnsf'
const users: TestUser[] = []
let serial = 0
// a role no other suite's users hold while this file runs would be ideal; the policy rows are taken back in afterAll
const policyRoles = new Set<string>()

async function freshUser(role: TestUser['role'] = 'operator'): Promise<TestUser> {
  const user = await createTestUser(`${prefix}-${process.pid}-${++serial}`, role)
  users.push(user)
  return user
}

const clientOf = (n: number) => `192.0.2.${n}-${process.pid}`

function from(client: string) {
  request.headers.set('x-virtnet-client', client)
}

/** The secret as the app got it from the QR code (the page shows it as the key), read back from its sealed box. */
async function pendingSecretOf(user: TestUser) {
  const row = await db.user.findUniqueOrThrow({ where: { id: user.id } })
  return openSecret('totp secret', user.id, row.totpPendingSecret!)
}

/**
 * Sets up the factor through the Account page's actions; returns the secret and the recovery codes shown. The set-up
 * is then moved a minute into the past (its code's step set back), so the code of this moment is a fresh one.
 */
async function enrol(user: TestUser) {
  await signIn(user)
  expect((await callAction(startSecondFactorAction, {})).state?.status).toBe('success')
  const secret = await pendingSecretOf(user)
  const confirmed = await callAction(confirmSecondFactorAction, { token: totpCode(secret) })
  expect(confirmed.state?.status, confirmed.state?.message ?? '').toBe('success')
  await db.user.update({ where: { id: user.id }, data: { totpLastStep: { decrement: 2 } } })
  return { secret, recoveryCodes: confirmed.state!.shownOnce! }
}

/** Signs in with the password; the browser then holds a half session. */
async function passwordStep(user: TestUser, client: string) {
  from(client)
  request.cookies.clear()
  return callAction(login, { username: user.username, password: user.password })
}

async function codeStep(code: string) {
  const call = await callAction(verifySecondFactor, { token: code })
  return call.redirectedTo === '/' ? 'signed in' : (call.state?.message ?? '')
}

async function auditOf(user: TestUser, action: string) {
  return db.auditEvent.findMany({ where: { actorName: user.username, action }, orderBy: { id: 'asc' } })
}

beforeAll(() => {
  request.headers = new Headers()
})

beforeEach(() => {
  request.cookies.clear()
})

afterAll(async () => {
  const names = users.map((user) => user.username)
  await db.loginThrottle.deleteMany({ where: { username: { in: names.flatMap((n) => [n, `totp:${n}`]) } } })
  await db.loginThrottle.deleteMany({ where: { clientIp: { endsWith: `-${process.pid}` } } })
  await db.auditRefusalWindow.deleteMany({ where: { client: { endsWith: `-${process.pid}` } } })
  await db.secondFactorPolicy.deleteMany({ where: { role: { in: [...policyRoles] } } })
  await db.user.deleteMany({ where: { username: { in: names } } })
})

describe('setting up a second factor', () => {
  it('takes effect only once a code confirms it, and keeps the secret sealed', async () => {
    const user = await freshUser()
    await signIn(user)
    await callAction(startSecondFactorAction, {})
    const secret = await pendingSecretOf(user)
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } })
    expect(row.totpEnabledAt).toBeNull()
    expect(row.totpPendingSecret).not.toContain(secret)

    const wrong = await callAction(confirmSecondFactorAction, {
      token: '000000' === totpCode(secret) ? '111111' : '000000',
    })
    expect(wrong.state?.errors.token?.[0]).toMatch(/^That code does not match/)
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).totpEnabledAt).toBeNull()

    const confirmed = await callAction(confirmSecondFactorAction, { token: totpCode(secret) })
    expect(confirmed.state?.shownOnce).toHaveLength(10)
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } })
    expect(after.totpEnabledAt).not.toBeNull()
    expect(after.totpPendingSecret).toBeNull()
    expect(after.totpSecret).not.toContain(secret)
    const stored = await db.recoveryCode.findMany({ where: { userId: user.id } })
    expect(stored).toHaveLength(10)
    for (const code of confirmed.state!.shownOnce!) {
      expect(stored.some((row) => row.hash.includes(code) || row.hash.includes(code.replace('-', '')))).toBe(false)
    }
    expect((await auditOf(user, 'user.second-factor.enrol')).map((e) => [e.result, e.params])).toEqual([
      ['refused', expect.not.stringContaining('000000')],
      ['success', expect.not.stringContaining(totpCode(secret))],
    ])
  })

  it('a sealed secret moved to another user does not open', async () => {
    const [alice, bob] = [await freshUser(), await freshUser()]
    await enrol(alice)
    const { totpSecret } = await db.user.findUniqueOrThrow({ where: { id: alice.id } })
    expect(() => openSecret('totp secret', bob.id, totpSecret!)).toThrow()
  })
})

describe('signing in with a second factor', () => {
  it('asks for the code after the password; the half session reaches nothing else', async () => {
    const user = await freshUser('admin')
    const { secret } = await enrol(user)
    const password = await passwordStep(user, clientOf(1))
    expect(password.redirectedTo).toBe('/login')
    expect((await sessionState()).stage).toBe('second-factor')
    expect(await currentUser()).toBeNull()
    // an action of the dashboard is refused as signed out
    const policy = await callAction(setSecondFactorPolicyAction, { role: 'auditor', required: 'yes' })
    expect(policy.state?.message).toBe('You are not signed in.')

    const halfToken = request.cookies.get(sessionCookieName)?.value
    expect(await codeStep(totpCode(secret))).toBe('signed in')
    expect((await currentUser())?.username).toBe(user.username)
    // the half session's token did not become the full one
    expect(request.cookies.get(sessionCookieName)?.value).not.toBe(halfToken)
    expect((await auditOf(user, 'auth.second-factor')).map((e) => e.result)).toEqual(['success'])
  })

  it('refuses a code used once already, within its window', async () => {
    const user = await freshUser()
    const { secret } = await enrol(user)
    const code = totpCode(secret)
    await passwordStep(user, clientOf(2))
    expect(await codeStep(code)).toBe('signed in')
    await passwordStep(user, clientOf(2))
    expect(await codeStep(code)).toBe('That code was already used. Wait for the next one.')
    expect((await sessionState()).stage).toBe('second-factor')
    expect((await auditOf(user, 'auth.second-factor')).map((e) => [e.result, e.error])).toEqual([
      ['success', null],
      ['refused', 'Code already used'],
    ])
  })

  it('lets one of ten parallel requests with the same code through', async () => {
    const user = await freshUser()
    const { secret } = await enrol(user)
    await passwordStep(user, clientOf(3))
    const code = totpCode(secret)
    const answers = await Promise.all(Array.from({ length: 10 }, () => codeStep(code)))
    expect(answers.filter((a) => a === 'signed in')).toHaveLength(1)
  })

  it('takes each recovery code once, and audits its use', async () => {
    const user = await freshUser()
    const { recoveryCodes } = await enrol(user)
    await passwordStep(user, clientOf(4))
    expect(await codeStep(recoveryCodes[0]!.toUpperCase())).toBe('signed in')
    await passwordStep(user, clientOf(4))
    expect(await codeStep(recoveryCodes[0]!)).toBe(
      'That code is not right. Type the newest code from your app, or a recovery code.',
    )
    const used = await auditOf(user, 'auth.recovery-code')
    expect(used.map((e) => [e.result, JSON.parse(e.params).recoveryCodesLeft])).toEqual([['success', 9]])
  })

  it('throttles wrong codes like passwords, and a right password does not give the guesses back', async () => {
    const user = await freshUser()
    const { secret } = await enrol(user)
    const wrongCode = totpCode(secret, Date.now() + 10 * 60_000)
    await passwordStep(user, clientOf(5))
    for (let i = 0; i < throttle.perUser.freeFailures; i++) expect(await codeStep(wrongCode)).toMatch(/not right/)
    // signing in with the password again starts a new half session, not a new count of code guesses
    await passwordStep(user, clientOf(5))
    expect(await codeStep(wrongCode)).toMatch(/not right/)
    expect(await codeStep(totpCode(secret))).toMatch(/^Too many failed attempts\. Try again in \d+ seconds?\.$/)
  })

  it('a half session expires after a few minutes', async () => {
    const user = await freshUser()
    const { secret } = await enrol(user)
    await passwordStep(user, clientOf(6))
    await db.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1) } })
    expect(await codeStep(totpCode(secret))).toBe('Sign in with your password first.')
  })
})

describe("an admin's reset and policy", () => {
  it('a reset removes the factor and ends the sessions; the user signs in with the password alone', async () => {
    const admin = await freshUser('admin')
    const user = await freshUser()
    await enrol(user)
    await signIn(admin)
    const reset = await callAction(resetSecondFactorAction, { userId: user.id })
    expect(reset.state?.status, reset.state?.message ?? '').toBe('success')
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0)
    expect(await db.recoveryCode.count({ where: { userId: user.id } })).toBe(0)
    expect((await passwordStep(user, clientOf(7))).redirectedTo).toBe('/')
    expect((await auditOf(admin, 'user.second-factor.reset')).map((e) => [e.result, e.target])).toEqual([
      ['success', user.id],
    ])
  })

  it('a role that requires a factor sends its users to set one up before anything else', async () => {
    const admin = await freshUser('admin')
    const user = await freshUser('selfservice')
    policyRoles.add('selfservice')
    await signIn(user)
    expect((await sessionState()).stage).toBe('signed-in')
    await signIn(admin)
    await callAction(setSecondFactorPolicyAction, { role: 'selfservice', required: 'yes' })
    try {
      // the session the user already holds is sent to the set-up, as is a new one
      expect((await passwordStep(user, clientOf(8))).redirectedTo).toBe('/')
      expect((await sessionState()).stage).toBe('enrol')
      expect(await currentUser()).toBeNull()
      expect((await callAction(startSecondFactorAction, {})).state?.message).toBe('You are not signed in.')

      expect((await callAction(startRequiredEnrolment, {})).state?.status).toBe('success')
      const secret = await pendingSecretOf(user)
      const confirmed = await callAction(confirmRequiredEnrolment, { token: totpCode(secret) })
      expect(confirmed.state?.shownOnce).toHaveLength(10)
      expect((await currentUser())?.username).toBe(user.username)
      expect((await auditOf(user, 'user.second-factor.enrol')).map((e) => e.result)).toEqual(['success'])
    } finally {
      await signIn(admin)
      await callAction(setSecondFactorPolicyAction, { role: 'selfservice', required: 'no' })
    }
    expect((await auditOf(admin, 'user.second-factor.policy')).map((e) => [e.result, e.target])).toEqual([
      ['success', 'selfservice'],
      ['success', 'selfservice'],
    ])
  })
})
