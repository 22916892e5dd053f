import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { registeredLabHost } from '@/lib/test/lab'
import { callAction, createTestUser, signIn, type TestUser } from '@/lib/test/server-actions'
import { refreshInventory, startInventoryRefresher } from '@/lib/inventory/refresh'
import { fleetPageData } from '@/lib/inventory/read'
import { refreshInventoryAction } from '@/app/(dashboard)/fleet/actions'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * The Refresh button of a host's snapshot (fleet overview, topology, plots) on lab host A. It used to read the host
 * inside the server action: React keeps an action pending until every action and transition started meanwhile has
 * settled, and Next runs a page's actions one after another, so one slow read held every Refresh button of the page
 * at "Reading…" (and the page's own updates with it). The action now only asks; the background loop reads.
 */

let host: Awaited<ReturnType<typeof registeredLabHost>>
let user: TestUser
const inventoryOf = () => db.hostInventory.findUniqueOrThrow({ where: { hostId: host.row.id } })

describe('the Refresh button of a snapshot', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-a')
    user = await createTestUser(`vnui-refresh-${process.pid}`, 'auditor')
  })
  afterAll(async () => {
    await db.user.deleteMany({ where: { id: user.id } })
    await db.inventoryEntry.deleteMany({ where: { hostId: host.row.id } })
    await db.healthSample.deleteMany({ where: { hostId: host.row.id } })
    await db.hostInventory.deleteMany({ where: { hostId: host.row.id } })
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
