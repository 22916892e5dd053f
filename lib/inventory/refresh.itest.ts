import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { raceChild } from '@/lib/test/race-child'
import { registeredLabHost } from '@/lib/test/lab'
import { listNetworks } from '@/lib/libvirt/read-networks'
import { createNatNetwork, undefineNetwork } from '@/lib/networks/changes'
import { parseDocument } from '@/lib/inventory/document'
import { recordHealthSample, HEALTH_RETENTION_MS } from '@/lib/inventory/health-history'
import { LEASE_MS, refreshInventory, releaseLease, startInventoryRefresher, takeLease } from '@/lib/inventory/refresh'

/*
 * The inventory snapshot of lab host A, read over real SSH: on demand, after a change (a plan run by the executor
 * wakes the background loop), and with its lease taken by exactly one of two processes that refresh at once.
 */

const network = `vnfl-${process.pid}`
let host: Awaited<ReturnType<typeof registeredLabHost>>

async function snapshot() {
  const row = await db.hostInventory.findUnique({ where: { hostId: host.row.id } })
  return { row, doc: row ? parseDocument(row.version, row.document) : null }
}

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function forgetInventory() {
  await db.hostInventory.deleteMany({ where: { hostId: host.row.id } })
  await db.inventoryEntry.deleteMany({ where: { hostId: host.row.id } })
  await db.healthSample.deleteMany({ where: { hostId: host.row.id } })
}

describe('the inventory snapshot of lab host A', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-a')
    await forgetInventory()
  })
  afterAll(async () => {
    if ((await listNetworks(host.target)).some((n) => n.name === network))
      await undefineNetwork(host.row, host.target, network, network)
    await db.desiredNetwork.deleteMany({ where: { hostId: host.row.id, name: network } })
    await forgetInventory()
  })

  it('reads networks, guests with their interfaces, leases and health on demand, and indexes them for search', async () => {
    const samplesBefore = await db.healthSample.count({ where: { hostId: host.row.id } })
    expect(await refreshInventory(host.row.id)).toBe('refreshed')
    const { row, doc } = await snapshot()
    expect(row?.error).toBeNull()
    expect(row?.leaseHolder).toBeNull()
    expect(doc?.health.reachable).toBe(true)
    expect(doc?.networks.map((n) => n.name)).toContain('default')
    expect(doc?.networks.find((n) => n.name === 'default')?.ranges[0]?.size).toBe(253)
    const guest = doc?.guests.find((g) => g.name === 'vnlab-a1')
    expect(guest?.interfaces[0]).toMatchObject({ type: 'network', source: 'default', mac: '52:54:00:77:0a:01' })
    expect(doc?.leases).toContainEqual(
      expect.objectContaining({ network: 'default', mac: '52:54:00:77:0a:01', ip: '192.168.122.45' }),
    )
    const byIp = await db.inventoryEntry.findMany({ where: { hostId: host.row.id, value: '192.168.122.45' } })
    expect(byIp.map((e) => e.kind)).toEqual(expect.arrayContaining(['lease', 'interface']))
    expect(byIp.find((e) => e.kind === 'lease')).toMatchObject({
      guest: 'vnlab-a1',
      link: `/hosts/${host.row.id}/networks/default/dhcp`,
    })
    expect(await db.healthSample.count({ where: { hostId: host.row.id } })).toBe(samplesBefore + 1)
  })

  it('re-reads the host in the background after a plan changed it', async () => {
    await refreshInventory(host.row.id)
    const refresher = startInventoryRefresher()
    try {
      await createNatNetwork(host.row, host.target, {
        name: network,
        ipv4Cidr: '10.251.17.0/24',
        autostart: false,
        start: false,
      })
      await until('the new network in the snapshot', async () =>
        (await snapshot()).doc?.networks.some((n) => n.name === network),
      )
      expect(await db.inventoryEntry.count({ where: { hostId: host.row.id, value: network } })).toBe(1)
      await undefineNetwork(host.row, host.target, network, network)
      await until('the network gone from the snapshot', async () =>
        (await snapshot()).doc?.networks.every((n) => n.name !== network),
      )
    } finally {
      refresher.stop()
    }
  })

  it('gives the lease to one process at a time; a lease whose holder died runs out', async () => {
    expect(await takeLease(host.row.id, 'holder-1')).toBe(true)
    expect(await takeLease(host.row.id, 'holder-2')).toBe(false)
    expect(await refreshInventory(host.row.id)).toBe('busy')
    await db.hostInventory.update({
      where: { hostId: host.row.id },
      data: { leaseUntil: new Date(Date.now() - 1) },
    })
    expect(await takeLease(host.row.id, 'holder-2')).toBe(true)
    await releaseLease(host.row.id, 'holder-2')
    expect((await snapshot()).row?.leaseHolder).toBeNull()
    expect(LEASE_MS).toBeGreaterThan(60_000)
  })

  it('lets one of two processes that refresh at the same instant read the host; the other skips it', async () => {
    const children = [0, 1].map(() =>
      raceChild<{ outcome: string }>('lib/test/inventory-refresh-child.ts', [host.row.id]),
    )
    await Promise.all(children.map((c) => c.ready))
    for (const c of children) c.start()
    const outcomes = (await Promise.all(children.map((c) => c.outcome))).map((o) => o.outcome)
    expect(outcomes.sort()).toEqual(['busy', 'refreshed'])
    expect((await snapshot()).row?.leaseHolder).toBeNull()
  })

  it('keeps a week of health samples', async () => {
    const now = Date.now()
    await recordHealthSample(host.row.id, {
      checkedAt: new Date(now - HEALTH_RETENTION_MS - 60_000).toISOString(),
      reachable: true,
      warnings: [],
    })
    await recordHealthSample(host.row.id, { checkedAt: new Date(now).toISOString(), reachable: false, warnings: [] })
    const expired = { hostId: host.row.id, at: { lt: new Date(now - HEALTH_RETENTION_MS) } }
    expect(await db.healthSample.count({ where: expired })).toBe(0)
    expect(await db.healthSample.count({ where: { hostId: host.row.id, at: new Date(now) } })).toBe(1)
  })
})
