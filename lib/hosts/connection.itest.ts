import { afterAll, describe, expect, it } from 'vitest'
import { testHostConnection } from '@/lib/hosts/changes'
import { healthOf } from '@/lib/hosts/store'
import { listNetworks } from '@/lib/libvirt/read-networks'
import { closeAllSessions, HostUnreachableError, run, sh } from '@/lib/ssh'
import { blackHoleHostBSsh, inHostB, registeredLabHost } from '@/lib/test/lab'

// What one host's connection trouble, or one operator's click, must not do to the work on other hosts or of others.

afterAll(async () => {
  await closeAllSessions()
})

describe('Test connection', () => {
  it('leaves the commands in flight on the shared session alone', async () => {
    const { row, target } = await registeredLabHost('lab-b')
    await run(target, sh`true`) // the shared session is up, as it is while the dashboard serves the host
    // Another operator's long work on host B (a bulk import, a network restart) runs on the shared session …
    const marker = `5.${process.pid % 100_000}`
    const longWork = run(target, sh`sleep ${marker}; echo done`, { timeoutMs: 60_000 }).catch((error: unknown) => error)
    // It runs on B before the check starts (B's own process list, read outside Virtnet).
    await expect.poll(() => inHostB(`pgrep -fc '^sleep ${marker}$' || true`).trim(), { timeout: 10_000 }).toBe('1')
    // … while this operator presses Test connection.
    const checked = await testHostConnection(row)
    expect(healthOf(checked)).toMatchObject({ reachable: true })
    expect(await longWork).toMatchObject({ exitCode: 0, stdout: 'done\n' })
  })
})

describe('a host that stops answering', () => {
  it('fails its page reads as unreachable, alone, and recovers by itself once it answers again', async () => {
    const a = await registeredLabHost('lab-a')
    const b = await registeredLabHost('lab-b')
    await listNetworks(b.target) // the dashboard holds a session to B
    const restore = blackHoleHostBSsh('vne-blackhole')
    try {
      let readOfBSettled = false
      const readOfB = listNetworks(b.target)
        .then(
          () => 'answered',
          (error: unknown) => error,
        )
        .finally(() => {
          readOfBSettled = true
        })
      // More commands than B's session has shell channels: some wait for one, and fail with the same reason rather
      // than wait out a new connection attempt.
      const burst = Array.from({ length: 8 }, (_, i) => run(b.target, sh`echo ${i}`).catch((error: unknown) => error))
      // Host A's reads go on meanwhile: nothing queues them behind B's.
      expect((await listNetworks(a.target)).map((n) => n.name)).toContain('default')
      expect(readOfBSettled).toBe(false)
      for (const error of [await readOfB, ...(await Promise.all(burst))]) {
        expect(error).toBeInstanceOf(HostUnreachableError)
        expect((error as Error).message).toMatch(/^Cannot reach 10\.77\.0\.2:22: the host stopped answering/)
      }
    } finally {
      restore()
    }
    // Nobody reconnects by hand: the next read does.
    expect((await listNetworks(b.target)).map((n) => n.name)).toContain('default')
  })
})
