import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { testHostConnection } from '@/lib/hosts/changes'
import { healthOf, toTarget, type HostRow } from '@/lib/hosts/store'
import { listNetworks } from '@/lib/libvirt/read-networks'
import { closeAllSessions, closeHostSession, HostUnreachableError, run, sh } from '@/lib/ssh'
import { blackHoleSsh, libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { closeSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'

// What one host's connection trouble, or one operator's click, must not do to the work on other hosts or of others.

afterAll(async () => {
  await closeAllSessions()
})

describe.each(libvirtLabHosts)('Test connection on $name', (lab) => {
  it('leaves the commands in flight on the shared session alone', async () => {
    const { row, target } = await registeredLabHost(lab.name)
    await run(target, sh`true`) // the shared session is up, as it is while the dashboard serves the host
    // Another operator's long work on the host (a bulk import, a network restart) runs on the shared session …
    const marker = `5.${process.pid % 100_000}`
    const longWork = run(target, sh`sleep ${marker}; echo done`, { timeoutMs: 60_000 }).catch((error: unknown) => error)
    // It runs on the host before the check starts (the host's own process list, read outside Virtnet).
    await expect.poll(() => lab.exec(`pgrep -fc '^sleep ${marker}$' || true`).trim(), { timeout: 10_000 }).toBe('1')
    // … while this operator presses Test connection.
    const checked = await testHostConnection(row)
    expect(healthOf(checked)).toMatchObject({ reachable: true })
    expect(await longWork).toMatchObject({ exitCode: 0, stdout: 'done\n' })
  })
})

/*
 * The host that stops answering is the lab host reached through a side door of this test's own (lib/test/side-door.ts):
 * the black hole drops only the packets to the door's address, so the other tests' sessions to the host go on.
 */
describe.each(libvirtLabHosts)('a host that stops answering ($name through a door of its own)', (lab) => {
  const which = lab.name === 'lab-c' ? 'c' : 'b'
  const door = sideDoor(`vnh2s${which}`, which === 'c' ? '10.67' : '10.66', { host: lab })
  let row: HostRow

  beforeAll(async () => {
    await openSideDoor(door)
    row = await sideDoorHost(door, `vnh2-stops-${which}-${process.pid}`)
  })
  afterAll(async () => {
    if (row) closeHostSession(row.id)
    await db.host.deleteMany({ where: { name: `vnh2-stops-${which}-${process.pid}` } })
    closeSideDoor(door)
  })

  it('fails its page reads as unreachable, alone, and recovers by itself once it answers again', async () => {
    const a = await registeredLabHost('lab-a')
    const b = { row, target: toTarget(row) }
    await listNetworks(b.target) // the dashboard holds a session to the host
    const restore = blackHoleSsh('vnh2-blackhole', { exec: lab.exec, address: door.addrB })
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
      // More commands than the host's session has shell channels: some wait for one, and fail with the same reason
      // rather than wait out a new connection attempt.
      const burst = Array.from({ length: 8 }, (_, i) => run(b.target, sh`echo ${i}`).catch((error: unknown) => error))
      // Host A's reads go on meanwhile: nothing queues them behind this host's.
      expect((await listNetworks(a.target)).map((n) => n.name)).toContain('default')
      expect(readOfBSettled).toBe(false)
      for (const error of [await readOfB, ...(await Promise.all(burst))]) {
        expect(error).toBeInstanceOf(HostUnreachableError)
        expect((error as Error).message).toMatch(
          new RegExp(`^Cannot reach ${door.addrB.replaceAll('.', '\\.')}:22: the host stopped answering`),
        )
      }
    } finally {
      restore()
    }
    // Nobody reconnects by hand: the next read does.
    expect((await listNetworks(b.target)).map((n) => n.name)).toContain('default')
  })
})
