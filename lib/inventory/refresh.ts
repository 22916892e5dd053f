import 'server-only'
import os from 'node:os'
import { randomUUID } from 'node:crypto'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'
import { log } from '@/lib/telemetry/log'
import { onHostChanged } from '@/lib/plan/host-changed'
import { toTarget } from '@/lib/hosts/store'
import { INVENTORY_VERSION, searchEntries } from '@/lib/inventory/document'
import { readInventory } from '@/lib/inventory/build'
import { recordHealthSample } from '@/lib/inventory/health-history'

/*
 * Keeping each host's inventory snapshot fresh: on an interval per host, right after every plan that ran on it, and
 * on demand. Several dashboard processes may share one database; each refresh first takes the lease on the host's
 * snapshot row with one conditional update (a row whose lease is free or ran out), so one process reads a host at a
 * time and the others skip it. A holder that dies leaves a lease that runs out after LEASE_MS.
 */

/** How old a snapshot may get before the background loop reads the host again. */
export const REFRESH_INTERVAL_MS = 120_000
/** Longer than any refresh takes (a host's reads time out after 15 s each); a dead holder's lease runs out then. */
export const LEASE_MS = 90_000
/** How often the loop looks for due hosts when nothing wakes it. */
const TICK_MS = 5_000
const PARALLEL = 4

/** This process, as named in the lease column. */
export const leaseHolderId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

async function ensureRow(hostId: string) {
  try {
    await db.hostInventory.upsert({ where: { hostId }, create: { hostId }, update: {} })
  } catch (error) {
    // Two processes created it at once: the other's row is as good as ours.
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error
  }
}

/** One conditional update: true for the one process whose update found the lease free (or run out). */
export async function takeLease(hostId: string, holder = leaseHolderId): Promise<boolean> {
  await ensureRow(hostId)
  const now = new Date()
  const { count } = await db.hostInventory.updateMany({
    where: { hostId, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    data: { leaseHolder: holder, leaseUntil: new Date(now.getTime() + LEASE_MS) },
  })
  return count === 1
}

export async function releaseLease(hostId: string, holder = leaseHolderId) {
  await db.hostInventory.updateMany({
    where: { hostId, leaseHolder: holder },
    data: { leaseHolder: null, leaseUntil: null },
  })
}

/** Asks for a refresh as soon as possible (kept until a refresh that started after it finishes). */
export async function markWanted(hostId: string) {
  await ensureRow(hostId)
  await db.hostInventory.update({ where: { hostId }, data: { wantedAt: new Date() } })
}

export type RefreshOutcome = 'refreshed' | 'failed' | 'busy' | 'no host'

/**
 * Reads the host and replaces its snapshot and search rows, if this process gets the lease ('busy' when another
 * holds it). Callers authorize; the background loop is the dashboard itself.
 */
export async function refreshInventory(hostId: string): Promise<RefreshOutcome> {
  const host = await db.host.findUnique({ where: { id: hostId } })
  if (!host) return 'no host'
  if (!(await takeLease(hostId))) return 'busy'
  const startedAt = new Date()
  try {
    if (!host.pinnedFingerprint) throw new Error('Confirm the host key first.')
    const doc = await readInventory(host.id, toTarget(host))
    const entries = searchEntries(host.id, host.name, doc)
    await db.$transaction([
      db.hostInventory.update({
        where: { hostId },
        data: { version: INVENTORY_VERSION, document: JSON.stringify(doc), refreshedAt: new Date(), error: null },
      }),
      db.inventoryEntry.deleteMany({ where: { hostId } }),
      db.inventoryEntry.createMany({ data: entries.map((entry) => ({ ...entry, hostId })) }),
      db.host.update({
        where: { id: hostId },
        data: { health: JSON.stringify(doc.health), healthCheckedAt: new Date(doc.health.checkedAt) },
      }),
    ])
    await recordHealthSample(hostId, doc.health)
    return 'refreshed'
  } catch (error) {
    // The last good document stays; the page shows why it is not newer. refreshedAt moves on so the loop waits an
    // interval before trying again instead of hammering a host that fails every read.
    await db.hostInventory.updateMany({
      where: { hostId },
      data: { error: error instanceof Error ? error.message : String(error), refreshedAt: new Date() },
    })
    return 'failed'
  } finally {
    await db.hostInventory.updateMany({ where: { hostId, wantedAt: { lte: startedAt } }, data: { wantedAt: null } })
    await releaseLease(hostId)
  }
}

/** Hosts whose snapshot is missing, of another version, older than the interval, or wanted now. */
export async function dueHosts(now = new Date()): Promise<string[]> {
  const stale = new Date(now.getTime() - REFRESH_INTERVAL_MS)
  const hosts = await db.host.findMany({
    where: {
      pinnedFingerprint: { not: null },
      OR: [
        { inventory: { is: null } },
        {
          inventory: {
            OR: [
              { refreshedAt: null },
              { refreshedAt: { lt: stale } },
              { wantedAt: { not: null } },
              { version: { not: INVENTORY_VERSION } },
            ],
          },
        },
      ],
    },
    select: { id: true },
  })
  return hosts.map((h) => h.id)
}

/** Refreshes every due host, a few at a time; hosts another process holds are left to it. */
export async function refreshDueHosts(): Promise<Record<string, RefreshOutcome>> {
  const queue = await dueHosts()
  const outcomes: Record<string, RefreshOutcome> = {}
  const worker = async () => {
    for (let hostId = queue.shift(); hostId; hostId = queue.shift()) outcomes[hostId] = await refreshInventory(hostId)
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  return outcomes
}

type Refresher = { wake: () => void; stop: () => void }
const KEY = Symbol.for('virtnet.inventory.refresher')
const globals = globalThis as Record<symbol, Refresher | undefined>

/**
 * The background loop of this process (started once, at boot). A plan that ran on a host marks its snapshot wanted
 * and wakes the loop; the refresh then runs in the loop, off the request path and outside the action's command
 * recording (a promise continues in the context where it was awaited: the loop's).
 */
export function startInventoryRefresher(): Refresher {
  const running = globals[KEY]
  if (running) return running
  let stopped = false
  let wakeUp: () => void = () => {}
  const unsubscribe = onHostChanged((hostId) => {
    markWanted(hostId).then(
      () => wakeUp(),
      (error) => log.error({ err: error, hostId }, 'could not mark the inventory of a changed host for refresh'),
    )
  })
  const refresher: Refresher = {
    wake: () => wakeUp(),
    stop: () => {
      stopped = true
      unsubscribe()
      wakeUp()
      globals[KEY] = undefined
    },
  }
  globals[KEY] = refresher
  void (async () => {
    while (!stopped) {
      try {
        await refreshDueHosts()
      } catch (error) {
        log.error({ err: error }, 'refreshing the fleet inventory failed')
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TICK_MS)
        timer.unref()
        wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  })()
  return refresher
}

/** Wakes this process's loop, if it runs (after a Refresh press marked a host wanted). */
export function wakeInventoryRefresher() {
  globals[KEY]?.wake()
}
