import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { closeHostSession } from '@/lib/ssh'
import { libvirtLabHosts } from '@/lib/test/lab'
import { closeSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'
import { INVENTORY_VERSION } from '@/lib/inventory/document'
import { callAction, createTestUser, signIn, type TestUser } from '@/lib/test/server-actions'
import { refreshInventory, startInventoryRefresher } from '@/lib/inventory/refresh'
import { fleetPageData } from '@/lib/inventory/read'
import { refreshInventoryAction } from '@/app/(dashboard)/fleet/actions'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * The Refresh button of a host's snapshot (fleet overview, topology, plots) on lab hosts B and C. It used to read the
 * host inside the server action: React keeps an action pending until every action and transition started meanwhile
 * has settled, and Next runs a page's actions one after another, so one slow read held every Refresh button of the
 * page at "Reading…" (and the page's own updates with it). The action now only asks; the background loop reads.
 *
 * Each host is a row of this file's own (the host through a side door: rows are unique per address and port), created
 * with a fresh snapshot row, so that no other file's background loop, which reads every due host of the shared test
 * database, holds its lease when this file expects 'refreshed' (see lib/inventory/refresh.itest.ts).
 */

let user: TestUser

beforeAll(async () => {
  user = await createTestUser(`vnui-refresh-${process.pid}`, 'auditor')
})
afterAll(async () => {
  await db.user.deleteMany({ where: { id: user.id } })
})

describe.each(libvirtLabHosts)('the Refresh button of a snapshot of $name', (lab) => {
  const which = lab.name === 'lab-c' ? 'c' : 'b'
  const door = sideDoor(`vnh2a${which}`, which === 'c' ? '10.65' : '10.64', { host: lab })
  const name = `vnh2-refresh-button-${which}-${process.pid}`
  let host: { row: HostRow; target: ReturnType<typeof toTarget> }
  const inventoryOf = () => db.hostInventory.findUniqueOrThrow({ where: { hostId: host.row.id } })

  beforeAll(async () => {
    await db.host.deleteMany({ where: { name } })
    await openSideDoor(door)
    const row = await sideDoorHost(door, name, {
      inventory: { create: { version: INVENTORY_VERSION, refreshedAt: new Date() } },
    })
    host = { row, target: toTarget(row) }
  })
  afterAll(async () => {
    if (host) closeHostSession(host.row.id)
    // the snapshot, search and health rows go with the host row
    await db.host.deleteMany({ where: { name } })
    closeSideDoor(door)
  })

  it('answers without reading the host, says the host is being read, and the background loop reads it', async () => {
    expect(await refreshInventory(host.row.id)).toBe('refreshed')
    const before = await inventoryOf()
    await signIn(user)

    const pressed = await callAction(refreshInventoryAction, { hostId: host.row.id })
    expect(pressed.state?.status, pressed.state?.message ?? '').toBe('success')
    expect(pressed.state?.message).toBe(`Reading ${host.row.name} now; its inventory follows in a few seconds.`)
    // Nothing was read in the request: the snapshot is the one before, asked for again, and the fleet page says so.
    const asked = await inventoryOf()
    expect(asked.refreshedAt).toEqual(before.refreshedAt)
    expect(asked.wantedAt).not.toBeNull()
    expect((await fleetPageData()).find((h) => h.id === host.row.id)?.reading).toBe(true)

    const refresher = startInventoryRefresher()
    try {
      await vi.waitUntil(async () => (await inventoryOf()).wantedAt === null, { timeout: 60_000, interval: 200 })
    } finally {
      refresher.stop()
    }
    const read = await inventoryOf()
    expect(read.refreshedAt!.getTime()).toBeGreaterThan(before.refreshedAt!.getTime())
    expect(read.error).toBeNull()
    expect((await fleetPageData()).find((h) => h.id === host.row.id)?.reading).toBe(false)
  })
})
