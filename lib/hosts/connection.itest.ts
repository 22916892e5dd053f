import { afterAll, describe, expect, it } from 'vitest'
import { testHostConnection } from '@/lib/hosts/changes'
import { healthOf } from '@/lib/hosts/store'
import { closeAllSessions, run, sh } from '@/lib/ssh'
import { registeredLabHost } from '@/lib/test/lab'

// What one host's connection trouble, or one operator's click, must not do to the work on other hosts or of others.

afterAll(async () => {
  await closeAllSessions()
})

describe('Test connection', () => {
  it('leaves the commands in flight on the shared session alone', async () => {
    const { row, target } = await registeredLabHost('lab-b')
    await run(target, sh`true`) // the shared session is up, as it is while the dashboard serves the host
    // Another operator's long work on host B (a bulk import, a network restart) runs on the shared session …
    const longWork = run(target, sh`sleep 5; echo done`, { timeoutMs: 60_000 }).catch((error: unknown) => error)
    await new Promise((resolve) => setTimeout(resolve, 500))
    // … while this operator presses Test connection.
    const checked = await testHostConnection(row)
    expect(healthOf(checked)).toMatchObject({ reachable: true })
    expect(await longWork).toMatchObject({ exitCode: 0, stdout: 'done\n' })
  })
})
