import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { browseSignedOut, callAction, createTestUser, signIn, type TestUser } from '@/lib/test/server-actions'
import { createUserAction } from '@/app/(dashboard)/users/actions'
import { changePasswordAction } from '@/app/(dashboard)/account/actions'

/*
 * A password posted to an action never reaches the audit log, whichever way the action ends: created, refused by
 * the schema, refused signed out, failed in the work. The actions are the app's own, posted as a browser would.
 */
vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

const prefix = `vna-redact-${process.pid}`
const secret = (what: string) => `${prefix}-${what}-s3cret-value`
let admin: TestUser

/** The audit rows `post` adds, each whole (every column) as text. */
async function auditedBy(post: () => Promise<unknown>): Promise<Array<{ text: string; params: unknown }>> {
  const before = await db.auditEvent.aggregate({ _max: { id: true } })
  await post()
  const rows = await db.auditEvent.findMany({ where: { id: { gt: before._max.id ?? 0 } }, orderBy: { id: 'asc' } })
  return rows.map((row) => ({ text: JSON.stringify(row), params: JSON.parse(row.params) as unknown }))
}

beforeAll(async () => {
  admin = await createTestUser(`${prefix}-admin`, 'admin')
})

afterAll(async () => {
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
})

describe('passwords in audit parameters', () => {
  it('are hidden when a user is created', async () => {
    await signIn(admin)
    const password = secret('created')
    const rows = await auditedBy(() =>
      callAction(createUserAction, { username: `${prefix}-new`, role: 'operator', password }),
    )
    expect(rows.map((r) => r.params)).toEqual([{ username: `${prefix}-new`, role: 'operator', password: '(hidden)' }])
    expect(rows.every((r) => !r.text.includes(password))).toBe(true)
  })

  it('are hidden when the schema refuses the form, and when signed out', async () => {
    await signIn(admin)
    const refused = secret('refused')
    const rows = await auditedBy(() =>
      callAction(createUserAction, { username: 'bad name!', role: 'operator', password: refused }),
    )
    browseSignedOut()
    const anonymous = secret('anonymous')
    rows.push(
      ...(await auditedBy(() =>
        callAction(createUserAction, {
          username: `${prefix}-x`,
          role: 'admin',
          password: anonymous,
          Password2: anonymous,
        }),
      )),
    )
    expect(rows.map((r) => r.params)).toEqual([
      expect.objectContaining({ password: '(hidden)' }),
      expect.objectContaining({ password: '(hidden)', Password2: '(hidden)' }),
    ])
    expect(rows.every((r) => !r.text.includes(refused) && !r.text.includes(anonymous))).toBe(true)
  })

  it("are hidden when changing one's own password fails and when it succeeds", async () => {
    const user = await createTestUser(`${prefix}-own`, 'operator')
    await signIn(user)
    const wrong = secret('wrong-current')
    const next = secret('next')
    const rows = await auditedBy(() =>
      callAction(changePasswordAction, { currentPassword: wrong, newPassword: next, repeatPassword: next }),
    )
    rows.push(
      ...(await auditedBy(() =>
        callAction(changePasswordAction, { currentPassword: user.password, newPassword: next, repeatPassword: next }),
      )),
    )
    expect(rows.map((r) => r.params)).toEqual([
      { currentPassword: '(hidden)', newPassword: '(hidden)', repeatPassword: '(hidden)' },
      { currentPassword: '(hidden)', newPassword: '(hidden)', repeatPassword: '(hidden)' },
    ])
    expect(
      rows.every((r) => !r.text.includes(wrong) && !r.text.includes(next) && !r.text.includes(user.password)),
    ).toBe(true)
  })
})
