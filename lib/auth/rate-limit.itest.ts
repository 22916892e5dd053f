import { afterAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { claimLoginAttempt } from '@/lib/auth/rate-limit'
import { raceChild } from '@/lib/test/race-child'

/*
 * Several dashboard processes may share one database: the log-in throttle is one conditional upsert per attempt in
 * SQLite, not a count kept in memory, so guesses spread over processes see one another. Five processes each claim
 * ten slots for the same user name and client at the same instant: of the fifty, the three free mistakes and the one
 * that starts the delay go through (a fifth only if the machine stalls past that first 2 s delay), and the row counts
 * exactly the ones that did.
 */

const username = `vnl-ratelimit-${process.pid}`
const client = `192.0.2.77-${process.pid}`

afterAll(async () => {
  await db.loginThrottle.deleteMany({ where: { clientIp: client } })
})

function child() {
  return raceChild<{ allowed: number }>('lib/test/login-claim-child.ts', [username, client, '10'])
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
    for (const c of children) c.start()
    const allowed = (await Promise.all(children.map((c) => c.outcome))).reduce((sum, o) => sum + o.allowed, 0)
    expect(allowed).toBeGreaterThanOrEqual(4)
    expect(allowed).toBeLessThanOrEqual(5)
    const row = await db.loginThrottle.findUniqueOrThrow({
      where: { username_clientIp: { username, clientIp: client } },
    })
    expect(row.failures).toBe(allowed)
  })
})
