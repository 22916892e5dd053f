import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { currentUser } from '@/lib/auth/session'
import { sessionCookieName } from '@/lib/auth/cookie'
import { setDisabled, setRole } from '@/lib/auth/users'
import { login, logout } from '@/app/login/actions'
import { changePasswordAction } from '@/app/(dashboard)/account/actions'
import { callAction, createTestUser, signIn, type TestUser } from '@/lib/test/server-actions'
import { request } from '@/lib/test/next-request'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * Log-in and sessions through the real login, logout and change-password actions on the real database (issue 11
 * "Log-in", issue 13 "login rate limiting, session expiry, disabled users, logout, password change"). Time passing is
 * the database's timestamps set back, never a sleep. The client address is the header the server process writes from
 * the socket (lib/boot/request-origin.ts); the e2e suite proves that a forged X-Forwarded-For does not reach it.
 */

const prefix = 'vnl-login'
const users: TestUser[] = []
let serial = 0

async function freshUser(role: TestUser['role'] = 'operator'): Promise<TestUser> {
  const user = await createTestUser(`${prefix}-${process.pid}-${++serial}`, role)
  users.push(user)
  return user
}

function from(client: string) {
  request.headers.set('x-virtnet-client', client)
  // What a client may write itself, and today's code believed.
  request.headers.set('x-forwarded-for', client)
}

async function attempt(user: TestUser, password: string, client: string) {
  from(client)
  request.cookies.clear()
  const call = await callAction(login, { username: user.username, password })
  return call.redirectedTo === '/' ? 'signed in' : (call.state?.message ?? '')
}

/** The session cookie this browser holds now. */
const token = () => request.cookies.get(sessionCookieName)?.value ?? ''

async function userWithToken(value: string) {
  request.cookies.clear()
  request.cookies.set(sessionCookieName, value)
  return (await currentUser())?.username ?? null
}

/** As if the delay the client was given had passed. */
async function delayPasses(username: string, client: string) {
  await db.$executeRaw`UPDATE "LoginThrottle" SET "nextAllowedAt" = ${Date.now() - 1}
    WHERE "clientIp" = ${client} AND "username" IN (${username}, '')`
}

const clientOf = (n: number) => `198.51.100.${n}-${process.pid}`

beforeAll(() => {
  request.headers = new Headers()
})

beforeEach(() => {
  request.cookies.clear()
})

afterAll(async () => {
  const names = users.map((user) => user.username)
  await db.loginThrottle.deleteMany({ where: { username: { in: names } } })
  await db.loginThrottle.deleteMany({ where: { clientIp: { endsWith: `-${process.pid}` } } })
  // the throttled attempts' refusal windows, so that no later signed-out refusal sums them up
  await db.auditRefusalWindow.deleteMany({ where: { client: { endsWith: `-${process.pid}` } } })
  await db.user.deleteMany({ where: { username: { in: names } } })
})

describe('log-in throttling', () => {
  it('lets at most 5 of 50 parallel wrong passwords for one user be checked', async () => {
    const user = await freshUser()
    const answers = await Promise.all(Array.from({ length: 50 }, () => attempt(user, 'a-wrong-password', clientOf(1))))
    const checked = answers.filter((answer) => answer === 'Wrong user name or password.')
    const throttled = answers.filter((answer) => answer.startsWith('Too many failed attempts. Try again in '))
    expect(checked.length).toBeLessThanOrEqual(5)
    expect(checked.length + throttled.length).toBe(50)
  })

  it('audits the throttled attempts of a flood once per client and minute, not once each', async () => {
    const user = await freshUser()
    const client = clientOf(9)
    const minute = () => Math.floor(Date.now() / 60_000)
    const firstMinute = minute()
    const answers = await Promise.all(Array.from({ length: 40 }, () => attempt(user, 'a-wrong-password', client)))
    const minutesSpanned = minute() - firstMinute + 1
    const throttled = answers.filter((answer) => answer.startsWith('Too many failed attempts.')).length
    expect(throttled).toBeGreaterThanOrEqual(35)
    const rows = await db.auditEvent.findMany({
      where: { action: 'auth.login', actorName: user.username, error: 'Too many failed attempts' },
    })
    expect(rows.length).toBeGreaterThanOrEqual(1)
    expect(rows.length).toBeLessThanOrEqual(minutesSpanned)
    await db.auditRefusalWindow.deleteMany({ where: { client } })
    await db.loginThrottle.deleteMany({ where: { clientIp: client } })
  })

  it('grows the delay per user and client with each failure: 2, 4, 8 seconds after three free mistakes', async () => {
    const user = await freshUser()
    const client = clientOf(2)
    const delaySeconds = async () => {
      const row = await db.loginThrottle.findUniqueOrThrow({
        where: { username_clientIp: { username: user.username, clientIp: client } },
      })
      // while the mistakes are free the next attempt is allowed at any time (nextAllowedAt 0): no delay
      return Math.max(0, Number(row.nextAllowedAt - row.lastAttemptAt)) / 1000
    }
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      expect(await attempt(user, 'wrong-password', client)).toBe('Wrong user name or password.')
      delays.push(await delaySeconds())
      await delayPasses(user.username, client)
    }
    expect(delays).toEqual([0, 0, 0, 2, 4, 8])
  })

  it('never locks the right password out: at once from another client, after the delay from the guessing one', async () => {
    const admin = await freshUser('admin')
    const guesser = clientOf(3)
    for (let i = 0; i < 8; i++) {
      expect(await attempt(admin, 'guessing-wrong', guesser)).toBe('Wrong user name or password.')
      await delayPasses(admin.username, guesser)
    }
    // The guesser waits a minute now (as after a long run of guesses); anyone else signs in at once.
    const where = { username_clientIp: { username: admin.username, clientIp: guesser } }
    await db.loginThrottle.update({ where, data: { nextAllowedAt: BigInt(Date.now() + 60_000) } })
    expect(await attempt(admin, admin.password, clientOf(4))).toBe('signed in')

    const delay = await db.loginThrottle.findUniqueOrThrow({ where })
    expect(await attempt(admin, admin.password, guesser)).toMatch(
      /^Too many failed attempts\. Try again in (\d+ seconds|1 minute)\.$/,
    )
    // A refused attempt does not move the end of the delay: the right password waits that long and no longer.
    expect((await db.loginThrottle.findUniqueOrThrow({ where })).nextAllowedAt).toBe(delay.nextAllowedAt)
    await delayPasses(admin.username, guesser)
    expect(await attempt(admin, admin.password, guesser)).toBe('signed in')
  })

  it('rehashes a password stored with the old scrypt parameters (N=2^15) at the next successful log-in', async () => {
    const user = await freshUser()
    // 'old password' hashed by the previous hashPassword (N=2^15, r=8, p=1)
    const old = 'scrypt$32768$8$1$2oQw0ZXoX3wIMJxq8GqDKg==$8sBc9qENBDIAUVj6UTiwfltgkgG4976FGCanvFw0ufc='
    await db.user.update({ where: { id: user.id }, data: { passwordHash: old } })
    expect(await attempt(user, 'old password', clientOf(5))).toBe('signed in')
    const stored = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordHash
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/)
    expect(await attempt(user, 'old password', clientOf(5))).toBe('signed in')
  })
})

describe('sessions', () => {
  it('end 12 hours after sign-in even when used every minute (absolute lifetime)', async () => {
    const user = await freshUser()
    await signIn(user)
    const session = token()
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000)
    await db.session.updateMany({
      where: { userId: user.id },
      data: { createdAt: hoursAgo(11.9), lastSeenAt: new Date(), expiresAt: new Date(Date.now() + 3600_000) },
    })
    expect(await userWithToken(session)).toBe(user.username)
    await db.session.updateMany({ where: { userId: user.id }, data: { createdAt: hoursAgo(12.01) } })
    expect(await userWithToken(session)).toBeNull()
  })

  it('end after two idle hours (sliding lifetime), and each request moves that end on', async () => {
    const user = await freshUser()
    await signIn(user)
    const session = token()
    await db.session.updateMany({
      where: { userId: user.id },
      data: { lastSeenAt: new Date(Date.now() - 110 * 60_000), expiresAt: new Date(Date.now() + 10 * 60_000) },
    })
    expect(await userWithToken(session)).toBe(user.username)
    const moved = await db.session.findFirstOrThrow({ where: { userId: user.id } })
    expect(moved.expiresAt.getTime()).toBeGreaterThan(Date.now() + 119 * 60_000)
    await db.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    expect(await userWithToken(session)).toBeNull()
  })

  it('end at log-out: the token no longer signs anyone in', async () => {
    const user = await freshUser()
    expect(await attempt(user, user.password, clientOf(6))).toBe('signed in')
    const session = token()
    expect(await userWithToken(session)).toBe(user.username)
    const call = await callAction(logout, {})
    expect(call.redirectedTo).toBe('/login')
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0)
    expect(await userWithToken(session)).toBeNull()
  })

  it('all end when the password changes; the browser that changed it stays signed in with a new token', async () => {
    const user = await freshUser()
    await signIn(user)
    const elsewhere = token()
    await signIn(user)
    const here = token()
    const call = await callAction(changePasswordAction, {
      currentPassword: user.password,
      newPassword: 'a-new-password-for-login-tests',
      repeatPassword: 'a-new-password-for-login-tests',
    })
    expect(call.state?.message).toBe('Your password is changed.')
    const renewed = token()
    expect(renewed).not.toBe(here)
    expect(await userWithToken(renewed)).toBe(user.username)
    expect(await userWithToken(here)).toBeNull()
    expect(await userWithToken(elsewhere)).toBeNull()
    expect(await attempt(user, user.password, clientOf(7))).toBe('Wrong user name or password.')
    expect(await attempt(user, 'a-new-password-for-login-tests', clientOf(7))).toBe('signed in')
  })

  it('all end when the role changes', async () => {
    const user = await freshUser('admin')
    await signIn(user)
    const session = token()
    await setRole(user.username, 'auditor')
    expect(await userWithToken(session)).toBeNull()
  })

  it('of a disabled user end, and the right password no longer signs them in', async () => {
    const user = await freshUser()
    await signIn(user)
    const session = token()
    await setDisabled(user.username, true)
    expect(await userWithToken(session)).toBeNull()
    expect(await attempt(user, user.password, clientOf(8))).toBe('Wrong user name or password.')
    await setDisabled(user.username, false)
    expect(await attempt(user, user.password, clientOf(8))).toBe('signed in')
  })
})
