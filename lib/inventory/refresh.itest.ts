import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { closeHostSession } from '@/lib/ssh'
import { raceChild } from '@/lib/test/race-child'
import { libvirtLabHosts } from '@/lib/test/lab'
import { closeSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'
import { listNetworks } from '@/lib/libvirt/read-networks'
import { createNatNetwork, undefineNetwork } from '@/lib/networks/changes'
import { INVENTORY_VERSION, parseDocument } from '@/lib/inventory/document'
import { recordHealthSample, HEALTH_RETENTION_MS } from '@/lib/inventory/health-history'
import { LEASE_MS, refreshInventory, releaseLease, startInventoryRefresher, takeLease } from '@/lib/inventory/refresh'

/*
 * The inventory snapshot of lab hosts B and C, read over real SSH: on demand, after a change (a plan run by the
 * executor wakes the background loop), and with its lease taken by exactly one of two processes that refresh at once.
 *
 * The suite runs its files in parallel on one database, and every background loop (this file's, the Refresh button's
 * file's) reads every host that is due: on the lab's own rows (lab-b, lab-c) another file could hold the lease when
 * this one expects 'refreshed'. So each host is a row of this file's own, the host reached through a side door (rows
 * are unique per address and port), created with a fresh snapshot row in the same statement: no loop finds it due
 * until this file asks for it.
 */

const network = `vnfl-${process.pid}`

/** The guest's address as the host's own dnsmasq leased it (virsh, outside Virtnet). */
function leasedIp(lab: (typeof libvirtLabHosts)[number]): string | undefined {
  const line = lab
    .exec('virsh -q net-dhcp-leases default')
    .split('\n')
    .find((l) => l.includes(` ${lab.mac} `))
  return line?.match(/ (\d+\.\d+\.\d+\.\d+)\/\d+ /)?.[1]
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

describe.each(libvirtLabHosts)('the inventory snapshot of lab host $name (a host row of its own)', (lab) => {
  const which = lab.name === 'lab-c' ? 'c' : 'b'
  const door = sideDoor(`vnh2r${which}`, which === 'c' ? '10.73' : '10.72', { host: lab })
  const name = `vnh2-refresh-${which}-${process.pid}`
  let host: { row: HostRow; target: ReturnType<typeof toTarget> }

  async function snapshot() {
    const row = await db.hostInventory.findUnique({ where: { hostId: host.row.id } })
    return { row, doc: row ? parseDocument(row.version, row.document) : null }
  }

  beforeAll(async () => {
    await db.host.deleteMany({ where: { name } })
    await openSideDoor(door)
    const row = await sideDoorHost(door, name, {
      inventory: { create: { version: INVENTORY_VERSION, refreshedAt: new Date() } },
    })
    host = { row, target: toTarget(row) }
  })
  afterAll(async () => {
    if (host) {
      if ((await listNetworks(host.target)).some((n) => n.name === network))
        await undefineNetwork(host.row, host.target, network, network)
      closeHostSession(host.row.id)
    }
    // the snapshot, search, health and desired-network rows go with the host row
    await db.host.deleteMany({ where: { name } })
    closeSideDoor(door)
  })

  it('reads networks, guests with their interfaces, leases and health on demand, and indexes them for search', async () => {
    const samplesBefore = await db.healthSample.count({ where: { hostId: host.row.id } })
    // the guest's lease, read on the host just before and just after the refresh (another test may re-pin it)
    const leasedBefore = leasedIp(lab)
    expect(await refreshInventory(host.row.id)).toBe('refreshed')
    const leasedAfter = leasedIp(lab)
    const { row, doc } = await snapshot()
    expect(row?.error).toBeNull()
    expect(row?.leaseHolder).toBeNull()
    expect(doc?.health.reachable).toBe(true)
    expect(doc?.networks.map((n) => n.name)).toContain('default')
    expect(doc?.networks.find((n) => n.name === 'default')?.ranges[0]?.size).toBe(253)
    const guest = doc?.guests.find((g) => g.name === lab.guest)
    expect(guest?.interfaces[0]).toMatchObject({ type: 'network', source: 'default', mac: lab.mac })
    const lease = doc?.leases.find((l) => l.network === 'default' && l.mac === lab.mac)
    expect(lease?.ip).toMatch(/^192\.168\.122\.\d+$/)
    expect([leasedBefore, leasedAfter]).toContain(lease?.ip)
    const byIp = await db.inventoryEntry.findMany({ where: { hostId: host.row.id, value: lease!.ip } })
    expect(byIp.map((e) => e.kind)).toEqual(expect.arrayContaining(['lease', 'interface']))
    expect(byIp.find((e) => e.kind === 'lease')).toMatchObject({
      guest: lab.guest,
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
    // the refresh that wrote the snapshot lets go of the lease just after: the other tests start from a free lease
    await until('the lease let go', async () => (await snapshot()).row?.leaseHolder === null)
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
