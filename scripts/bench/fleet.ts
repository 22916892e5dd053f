// The fleet pages at 100 hosts: the server time of the home page (every host's snapshot, counts, DHCP use and
// round-trip sparkline) and of one search over the whole inventory, on the production build over HTTP. Lab hosts A
// and B are read for real; 98 more hosts are registered with copies of their snapshots (the lab's sshd listens on one
// address, so the same host cannot be registered 98 more times), each with a day of round-trip samples.
import { db } from '@/lib/db/client'
import { sessionCookieName } from '@/lib/auth/cookie'
import { refreshInventory } from '@/lib/inventory/refresh'
import { parseDocument, searchEntries } from '@/lib/inventory/document'
import { benchSession, startServer } from './networks-page'
import { percentile, report } from './stats'

type Host = { row: { id: string; name: string } }

const copies = 98
const samplesPerHost = 48

async function registerCopies(sources: Host[]) {
  const docs = await Promise.all(
    sources.map(async ({ row }) => {
      const inventory = await db.hostInventory.findUniqueOrThrow({ where: { hostId: row.id } })
      return { inventory, doc: parseDocument(inventory.version, inventory.document)! }
    }),
  )
  const day = Date.now() - 24 * 3600_000
  for (let i = 0; i < copies; i++) {
    const { inventory, doc } = docs[i % docs.length]!
    const name = `vnfl-bench-${String(i).padStart(2, '0')}`
    const host = await db.host.create({
      data: {
        name,
        // never contacted: no key is pinned, so the background refresh leaves these snapshots alone
        address: `127.77.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        port: 22,
        health: JSON.stringify(doc.health),
        healthCheckedAt: new Date(),
      },
    })
    await db.hostInventory.create({
      data: {
        hostId: host.id,
        version: inventory.version,
        document: inventory.document,
        refreshedAt: new Date(),
      },
    })
    await db.inventoryEntry.createMany({
      data: searchEntries(host.id, name, doc).map((entry) => ({ ...entry, hostId: host.id })),
    })
    await db.healthSample.createMany({
      data: Array.from({ length: samplesPerHost }, (_, s) => ({
        hostId: host.id,
        at: new Date(day + s * 1800_000),
        reachable: s % 17 !== 0,
        latencyMs: 0.3 + (s % 5) * 0.1,
      })),
    })
  }
}

export async function benchFleet(hostA: Host, hostB: Host, port = 3201) {
  for (const host of [hostA, hostB]) {
    const outcome = await refreshInventory(host.row.id)
    if (outcome !== 'refreshed') throw new Error(`could not read ${host.row.name} into its snapshot: ${outcome}`)
  }
  const lease = await db.inventoryEntry.findFirst({ where: { hostId: hostA.row.id, kind: 'lease' } })
  if (!lease) throw new Error('lab host A has no lease to search for')
  await registerCopies([hostA, hostB])
  const token = await benchSession('bench-fleet', 'operator')
  const server = await startServer(port)
  const timed = async (path: string, check: (body: string) => boolean) => {
    const t0 = performance.now()
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { cookie: `${sessionCookieName}=${token}` },
    })
    const body = await response.text()
    if (!response.ok || !check(body)) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 200)}`)
    return performance.now() - t0
  }
  try {
    const home = () => timed('/', (body) => body.includes('vnfl-bench-97') && body.includes(hostA.row.name))
    // The value searched for is on 50 of the 100 hosts (host A and its copies): the answer is the first 50 of them.
    const search = () =>
      timed(`/api/search?q=${encodeURIComponent(lease.value)}`, (body) => body.includes(`lease ${lease.value}`))
    await home()
    await search()
    const pages: number[] = []
    const searches: number[] = []
    for (let i = 0; i < 15; i++) {
      pages.push(await home())
      searches.push(await search())
    }
    report('page.fleet100_ms', percentile(pages, 50), 'ms')
    report('page.fleet100_p95_ms', percentile(pages, 95), 'ms')
    report('search.fleet_ms', percentile(searches, 50), 'ms')
    report('search.fleet_p95_ms', percentile(searches, 95), 'ms')
  } finally {
    process.kill(-server.pid!, 'SIGTERM')
    await db.host.deleteMany({ where: { name: { startsWith: 'vnfl-bench-' } } })
  }
}
