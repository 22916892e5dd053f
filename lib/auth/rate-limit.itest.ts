import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { claimLoginAttempt } from '@/lib/auth/rate-limit'

/*
 * Several dashboard processes may share one database: the log-in throttle is one conditional upsert per attempt in
 * SQLite, not a count kept in memory, so guesses spread over processes see one another. Five processes each claim
 * ten slots for the same user name and client at the same instant: of the fifty, the three free mistakes and the one
 * that starts the delay go through (a fifth only if the machine stalls past that first 2 s delay), and the row counts
 * exactly the ones that did.
 */

const root = path.resolve(import.meta.dirname, '../..')
const username = `vnl-ratelimit-${process.pid}`
const client = `192.0.2.77-${process.pid}`

afterAll(async () => {
  await db.loginThrottle.deleteMany({ where: { clientIp: client } })
})

function child(): { process: ChildProcessWithoutNullStreams; ready: Promise<void>; result: Promise<number> } {
  const proc = spawn(
    'node',
    ['--conditions=react-server', '--import', 'tsx', 'lib/test/login-claim-child.ts', username, client, '10'],
    { cwd: root, env: process.env },
  )
  let out = ''
  let stderr = ''
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('ready\n')) resolve()
    })
    proc.on('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${stderr}`)))
  })
  const result = new Promise<number>((resolve, reject) =>
    proc.on('exit', (code) => {
      const line = out.split('\n').find((text) => text.startsWith('{'))
      if (code !== 0 || !line) return reject(new Error(`child exited ${code}: ${stderr}`))
      resolve((JSON.parse(line) as { allowed: number }).allowed)
    }),
  )
  return { process: proc, ready, result }
}

describe('log-in throttling across processes', () => {
  it('never refuses a free attempt because another process stamped it with a clock a few milliseconds ahead', async () => {
    const skewed = `${client}-skew`
    try {
      const at = Date.now()
      expect(await claimLoginAttempt(`${username}-skew`, skewed, at + 5)).toEqual({ allowed: true })
      expect(await claimLoginAttempt(`${username}-skew`, skewed, at)).toEqual({ allowed: true })
      expect(await claimLoginAttempt(`${username}-skew`, skewed, at + 2)).toEqual({ allowed: true })
      // the fourth counted failure starts the delay, for every clock
      expect(await claimLoginAttempt(`${username}-skew`, skewed, at + 1)).toEqual({ allowed: true })
      expect(await claimLoginAttempt(`${username}-skew`, skewed, at + 6)).toMatchObject({ allowed: false })
    } finally {
      await db.loginThrottle.deleteMany({ where: { clientIp: skewed } })
    }
  })

  it('lets at most 5 of 50 simultaneous claims from five processes through', async () => {
    const children = Array.from({ length: 5 }, child)
    await Promise.all(children.map((c) => c.ready))
    for (const c of children) c.process.stdin.write('go\n')
    const allowed = (await Promise.all(children.map((c) => c.result))).reduce((sum, n) => sum + n, 0)
    expect(allowed).toBeGreaterThanOrEqual(4)
    expect(allowed).toBeLessThanOrEqual(5)
    const row = await db.loginThrottle.findUniqueOrThrow({
      where: { username_clientIp: { username, clientIp: client } },
    })
    expect(row.failures).toBe(allowed)
  })
})
