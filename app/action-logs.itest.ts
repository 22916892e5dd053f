import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { log } from '@/lib/telemetry/log'
import { closeAllSessions } from '@/lib/ssh'
import { registeredLabHost } from '@/lib/test/lab'
import { request } from '@/lib/test/next-request'
import { callAction, createTestUser, signIn, type TestUser } from '@/lib/test/server-actions'
import { checkHostAction } from '@/app/(dashboard)/hosts/actions'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

// The structured log of a real server action: what it writes to stdout while it checks lab host A over SSH is one
// JSON object per line, each naming the request, the user, the action and the host.

const prefix = `vnm-log-${process.pid}`
let admin: TestUser
let auditor: TestUser
let hostId: string

type Line = Record<string, unknown>

/** Everything written to stdout while `fn` runs, line by line (the logger writes to process.stdout). */
async function stdoutLines(fn: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return true
  })
  try {
    await fn()
  } finally {
    spy.mockRestore()
  }
  return written.join('').split('\n').filter(Boolean)
}

beforeAll(async () => {
  log.level = 'info'
  admin = await createTestUser(`${prefix}-admin`, 'admin')
  auditor = await createTestUser(`${prefix}-auditor`, 'auditor')
  hostId = (await registeredLabHost('lab-a')).row.id
})

afterAll(async () => {
  log.level = process.env.VIRTNET_LOG_LEVEL ?? 'silent'
  request.headers.delete('x-request-id')
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
  await closeAllSessions()
})

describe('structured logs of a server action', () => {
  it('writes JSON lines with the request id, user, action and host, for the action and each host command', async () => {
    await signIn(admin)
    request.headers.set('x-request-id', `${prefix}-request`)
    const lines = await stdoutLines(async () => {
      const { state } = await callAction(checkHostAction, { hostId })
      expect(state?.status).toBe('success')
    })
    const parsed = lines.map((line) => JSON.parse(line) as Line)
    expect(parsed.length).toBeGreaterThan(1)
    for (const line of parsed) {
      expect(line).toMatchObject({
        level: 'info',
        requestId: `${prefix}-request`,
        user: admin.username,
        action: 'host.check',
        host: 'lab-a',
      })
      expect(new Date(line.time as string).toISOString()).toBe(line.time)
    }
    const commands = parsed.filter((line) => line.msg === 'host command')
    expect(commands.length).toBeGreaterThan(0)
    expect(commands[0]).toMatchObject({ outcome: 'ok', exitCode: 0 })
    expect(typeof commands[0]!.command).toBe('string')
    expect(parsed.at(-1)).toMatchObject({ msg: 'action succeeded', result: 'success', commands: expect.any(Number) })
  })

  it('logs a refusal with a fresh request id when the proxy sent none', async () => {
    await signIn(auditor)
    request.headers.delete('x-request-id')
    const lines = await stdoutLines(() => callAction(checkHostAction, { hostId }))
    expect(lines.map((line) => JSON.parse(line) as Line)).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'action refused',
        result: 'refused',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        user: auditor.username,
        action: 'host.check',
      }),
    ])
  })
})
