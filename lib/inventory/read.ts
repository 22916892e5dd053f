import 'server-only'
import { db } from '@/lib/db/client'
import type { Prisma } from '@/lib/db/generated/client'
import { allows, authorize } from '@/lib/auth/authorize'
import { healthOf } from '@/lib/hosts/store'
import type { HostHealth } from '@/lib/hosts/health-types'
import { parseDocument, searchValue, type InventoryDocument } from '@/lib/inventory/document'

// What the fleet pages read: the snapshots, never the hosts (a change re-reads its host). Nothing here changes
// anything (that is changes.ts).

export type LatencyPoint = { at: number; ms: number | null }

export type FleetHost = {
  id: string
  name: string
  address: string
  pinned: boolean
  health: HostHealth | null
  refreshedAt: Date | null
  /** a read was asked for (Refresh, a change) and has not finished yet */
  reading: boolean
  /** how old the snapshot is, in seconds, when the page was loaded */
  ageSeconds: number | null
  refreshError: string | null
  counts: { networks: number; guests: number; running: number; forwards: number } | null
  /** addresses in the DHCP ranges of the host's networks, and how many of them are leased */
  dhcp: { size: number; leased: number } | null
  latency: LatencyPoint[]
  /** what is wrong, worst first; empty for a healthy host */
  trouble: string[]
}

const SPARKLINE_POINTS = 40

const ageOf = (at: Date | null | undefined) => (at ? Math.max(0, Math.round((Date.now() - at.getTime()) / 1000)) : null)

function troubleOf(pinned: boolean, health: HostHealth | null, doc: InventoryDocument | null, error: string | null) {
  const trouble: string[] = []
  if (!pinned) trouble.push('Host key not confirmed')
  else if (health && !health.reachable) trouble.push(`Unreachable: ${health.error ?? 'no answer'}`)
  else if (!doc) trouble.push('Not read yet')
  if (error) trouble.push(`Last refresh failed: ${error}`)
  trouble.push(...(health?.warnings ?? []))
  return trouble
}

/** Every host with its health, counts, DHCP use and round-trip history; hosts in trouble first. */
export async function fleetPageData(): Promise<FleetHost[]> {
  await authorize('viewHosts')
  const hosts = await db.host.findMany({ include: { inventory: true }, orderBy: { name: 'asc' } })
  // One query for the whole fleet's last day (a query per host cost more than the rest of the page at 100 hosts);
  // each host keeps its newest SPARKLINE_POINTS.
  const since = new Date(Date.now() - 24 * 3600_000)
  const samples = new Map<string, LatencyPoint[]>()
  for (const sample of await db.healthSample.findMany({
    where: { at: { gte: since } },
    orderBy: { at: 'desc' },
    select: { hostId: true, at: true, latencyMs: true, reachable: true },
  })) {
    const points = samples.get(sample.hostId) ?? []
    if (points.length < SPARKLINE_POINTS)
      points.push({ at: sample.at.getTime(), ms: sample.reachable ? sample.latencyMs : null })
    samples.set(sample.hostId, points)
  }
  const fleet = hosts.map((host): FleetHost => {
    const doc = host.inventory ? parseDocument(host.inventory.version, host.inventory.document) : null
    const health = doc?.health ?? healthOf(host)
    const error = host.inventory?.error ?? null
    const ranges = doc?.networks.flatMap((n) => n.ranges) ?? []
    return {
      id: host.id,
      name: host.name,
      address: `${host.address}:${host.port}`,
      pinned: Boolean(host.pinnedFingerprint),
      health,
      refreshedAt: host.inventory?.refreshedAt ?? null,
      reading: Boolean(host.inventory?.wantedAt),
      ageSeconds: ageOf(host.inventory?.refreshedAt),
      refreshError: error,
      counts: doc && {
        networks: doc.networks.length,
        guests: doc.guests.length,
        running: doc.guests.filter((g) => g.state === 'running').length,
        forwards: doc.forwards.length,
      },
      dhcp: doc && {
        size: ranges.reduce((sum, r) => sum + r.size, 0),
        leased: doc.leases.filter((l) => doc.networks.some((n) => n.name === l.network && n.ranges.length)).length,
      },
      latency: (samples.get(host.id) ?? []).reverse(),
      trouble: troubleOf(Boolean(host.pinnedFingerprint), health, doc, error),
    }
  })
  // Trouble first (the most troubled first), then by name.
  return fleet.sort((a, b) => b.trouble.length - a.trouble.length || a.name.localeCompare(b.name))
}

/** One host's snapshot (null when the host does not exist): its document, age and last refresh error. */
export async function hostInventoryData(hostId: string) {
  await authorize('viewHosts')
  const host = await db.host.findUnique({ where: { id: hostId }, include: { inventory: true } })
  if (!host) return null
  return {
    host: {
      id: host.id,
      name: host.name,
      address: host.address,
      port: host.port,
      pinned: Boolean(host.pinnedFingerprint),
    },
    doc: host.inventory ? parseDocument(host.inventory.version, host.inventory.document) : null,
    refreshedAt: host.inventory?.refreshedAt ?? null,
    reading: Boolean(host.inventory?.wantedAt),
    ageSeconds: ageOf(host.inventory?.refreshedAt),
    error: host.inventory?.error ?? null,
  }
}

/** A host's snapshot with its health over the last day: what the plots draw. */
export async function plotsPageData(hostId: string) {
  await authorize('viewHosts')
  const inventory = await hostInventoryData(hostId)
  if (!inventory) return null
  const [samples, limits] = await Promise.all([
    db.healthSample.findMany({
      where: { hostId, at: { gte: new Date(Date.now() - 24 * 3600_000) } },
      orderBy: { at: 'asc' },
      select: { at: true, latencyMs: true, reachable: true },
    }),
    db.selfServiceLimit.findMany({ include: { user: { select: { username: true } } } }),
  ])
  const quota = new Map(limits.map((l) => [l.userId, l.maxForwards]))
  const owners = new Map<string, { owner: string; forwards: number; quota: number | null }>()
  for (const forward of inventory.doc?.forwards ?? []) {
    const key = forward.ownerId ?? forward.ownerName
    const row = owners.get(key) ?? {
      owner: forward.ownerName,
      forwards: 0,
      quota: forward.ownerId ? (quota.get(forward.ownerId) ?? null) : null,
    }
    row.forwards++
    owners.set(key, row)
  }
  return {
    ...inventory,
    latency: samples.map((s) => ({ at: s.at.getTime(), ms: s.reachable ? s.latencyMs : null })),
    forwardsByOwner: [...owners.values()].sort((a, b) => b.forwards - a.forwards),
  }
}

export type SearchHit = { kind: string; label: string; link: string; host: string }

const MAX_HITS = 50

/**
 * Everything in the fleet's inventory whose value starts with the query: one range query on the index of values
 * (stored lower-case). Administrators, operators and auditors see every host; a self-service user sees only the
 * entries of the guests assigned to them, each linking to their own page.
 */
export async function searchInventory(query: string): Promise<SearchHit[]> {
  const user = await authorize('ownAccount')
  const q = searchValue(query)
  if (q.length < 2) return []
  const where: Prisma.InventoryEntryWhereInput = { value: { gte: q, lt: `${q}\u{10ffff}` } }
  const everything = allows(user, 'viewHosts')
  if (!everything) {
    if (!allows(user, 'selfService')) return []
    const grants = await db.selfServiceGuest.findMany({ where: { userId: user.id } })
    if (!grants.length) return []
    where.OR = grants.map((g) => ({ hostId: g.hostId, guest: g.guestName }))
  }
  const rows = await db.inventoryEntry.findMany({
    where,
    orderBy: { value: 'asc' },
    take: MAX_HITS * 3,
    select: { kind: true, label: true, link: true, host: { select: { name: true } } },
  })
  const seen = new Set<string>()
  const hits: SearchHit[] = []
  for (const row of rows) {
    const key = `${row.label}|${row.link}`
    if (seen.has(key)) continue
    seen.add(key)
    hits.push({ kind: row.kind, label: row.label, link: everything ? row.link : '/my', host: row.host.name })
    if (hits.length === MAX_HITS) break
  }
  return hits
}
