import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { currentUser, sessionState } from '@/lib/auth/session'
import { chooseRequiredPassword, login } from '@/app/login/actions'
import { resetPasswordAction } from '@/app/(dashboard)/users/actions'
import { changePasswordAction } from '@/app/(dashboard)/account/actions'
import { callAction, createTestUser, signIn, type TestUser } from '@/lib/test/server-actions'
import { request } from '@/lib/test/next-request'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * An administrator's password reset through the real actions and database: the password shown once is good for one
 * sign-in, after which the user reaches nothing but the form that replaces it; each step is audited.
 */

const prefix = 'vnui-pw'
const users: TestUser[] = []
let serial = 0

async function freshUser(role: TestUser['role'] = 'operator'): Promise<TestUser> {
  const user = await createTestUser(`${prefix}-${process.pid}-${++serial}`, role)
  users.push(user)
  return user
}

const client = `192.0.2.77-${process.pid}`

async function signInWithPassword(username: string, password: string) {
  request.cookies.clear()
  return callAction(login, { username, password })
}

/** The admin resets the user's password; returns the one-time password the message shows. */
async function resetBy(admin: TestUser, user: TestUser) {
  await signIn(admin)
  const reset = await callAction(resetPasswordAction, { userId: user.id })
  expect(reset.state?.status, reset.state?.message ?? '').toBe('success')
  return reset.state!.message!.match(/shown only now: (\S+)/)![1]!
}

const auditOf = (user: TestUser, action: string) =>
  db.auditEvent.findMany({ where: { actorName: user.username, action }, orderBy: { id: 'asc' } })

beforeAll(() => {
  request.headers = new Headers()
  request.headers.set('x-virtnet-client', client)
})

beforeEach(() => {
  request.cookies.clear()
})

afterAll(async () => {
  const names = users.map((user) => user.username)
  await db.loginThrottle.deleteMany({ where: { username: { in: names } } })
  await db.loginThrottle.deleteMany({ where: { clientIp: client } })
  await db.user.deleteMany({ where: { username: { in: names } } })
})

describe("an administrator's password reset", () => {
  it('gives a one-time password: the user must choose their own before anything else', async () => {
    const admin = await freshUser('admin')
    const user = await freshUser()
    const oneTime = await resetBy(admin, user)

    expect((await signInWithPassword(user.username, oneTime)).redirectedTo).toBe('/')
    expect((await sessionState()).stage).toBe('new-password')
    // Nothing else is reached meanwhile: no page (currentUser) and no action.
    expect(await currentUser()).toBeNull()
    expect((await callAction(changePasswordAction, { currentPassword: oneTime })).state?.message).toBe(
      'You are not signed in.',
    )

    // The one-time password cannot be kept, and the two fields must agree.
    const kept = await callAction(chooseRequiredPassword, { newPassword: oneTime, repeatPassword: oneTime })
    expect(kept.state?.errors?.newPassword).toEqual(['Choose a password of your own, not the one you were given.'])
    const differ = await callAction(chooseRequiredPassword, {
      newPassword: 'vnui-a-password-of-mine',
      repeatPassword: 'vnui-another-one',
    })
    expect(differ.state?.errors?.repeatPassword).toEqual(['The two new passwords differ.'])
    expect((await sessionState()).stage).toBe('new-password')

    const mine = 'vnui-a-password-of-mine'
    const chosen = await callAction(chooseRequiredPassword, { newPassword: mine, repeatPassword: mine })
    expect(chosen.redirectedTo).toBe('/')
    expect((await currentUser())?.username).toBe(user.username)
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordMustChange).toBe(false)

    // The one-time password is gone; the chosen one signs in straight to the dashboard.
    expect((await signInWithPassword(user.username, oneTime)).state?.message).toBe('Wrong user name or password.')
    expect((await signInWithPassword(user.username, mine)).redirectedTo).toBe('/')
    expect((await sessionState()).stage).toBe('signed-in')

    expect((await auditOf(user, 'user.password.choose')).map((e) => e.result)).toEqual([
      'refused',
      'refused',
      'success',
    ])
    expect((await auditOf(admin, 'user.reset-password')).map((e) => [e.result, e.target])).toEqual([
      ['success', user.id],
    ])
  })

  it('refuses the form to a session that signed in with its own password', async () => {
    const user = await freshUser()
    await signIn(user)
    const refused = await callAction(chooseRequiredPassword, {
      newPassword: 'vnui-a-password-of-mine',
      repeatPassword: 'vnui-a-password-of-mine',
    })
    expect(refused.state?.message).toBe('There is no password to choose: sign in first.')
    expect((await sessionState()).stage).toBe('signed-in')
  })
})
