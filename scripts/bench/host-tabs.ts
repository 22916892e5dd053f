// Server time of every host tab on lab host B (the production build over HTTP, a real user's session): p95 over 20
// visits each, the worst tab as `page.tabs_p95_ms`; each tab's phases (its loader's SSH round trips and database
// queries, from the server's phase journal, and the rest of the request: rendering, layout, HTTP); beside them the raw
// cost of a page's host reads (one batched virsh read of every network and guest) in the same run, and the
// dashboard's memory with 100 hosts registered.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { readInventory } from '@/lib/libvirt/inventory'
import { sessionCookieName } from '@/lib/auth/cookie'
import { benchSession, startServer } from './networks-page'
import { percentile, report } from './stats'

const visits = 20

/**
 * A server starts by reading every registered host for the fleet inventory (lib/inventory/refresh.ts): those reads
 * share the host's SSH session and the machine's two cores with the first tabs' visits, which made one networks visit
 * in 20 take three times its median. The tabs are measured once that start-up refresh is over, as a user meets them
 * between two refreshes (each host's comes every two minutes).
 */
async function startUpRefreshDone(deadlineMs = 60_000) {
  const end = performance.now() + deadlineMs
  for (;;) {
    const hosts = await db.host.findMany({ where: { pinnedFingerprint: { not: null } }, include: { inventory: true } })
    if (hosts.every((h) => h.inventory?.refreshedAt && !h.inventory.leaseHolder)) return
    if (performance.now() > end) throw new Error('the server did not finish its start-up inventory refresh')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

type Journal = { label: string; ms: number; phases: Record<string, { ms: number; count: number }> }

/** Per phase, the median over the visits of its per-visit total; `loader` (the tab's read) and `rest` beside them. */
function reportTabPhases(name: string, visitsSeen: Array<{ wall: number; entries: Journal[] }>) {
  const totals = new Map<string, number[]>()
  const trips: number[] = []
  const add = (phase: string, i: number, ms: number) => {
    const list = totals.get(phase) ?? Array<number>(visitsSeen.length).fill(0)
    list[i]! += ms
    totals.set(phase, list)
  }
  visitsSeen.forEach(({ wall, entries }, i) => {
    let loader = 0
    let roundTrips = 0
    for (const entry of entries) {
      loader += entry.ms
      for (const [phase, { ms, count }] of Object.entries(entry.phases)) {
        add(phase, i, ms)
        if (phase.startsWith('ssh_')) roundTrips += count
      }
    }
    add('loader', i, loader)
    add('rest', i, Math.max(0, wall - loader))
    trips.push(roundTrips)
  })
  for (const [phase, list] of [...totals].sort((a, b) => percentile(b[1], 50) - percentile(a[1], 50)))
    report(`page.tab.${name}.phase.${phase}_ms`, percentile(list, 50), 'ms')
  report(`page.tab.${name}.round_trips`, percentile(trips, 50), 'trips')
}

/** Resident memory of the biggest process in the server's process group (next-server under npx), in MiB. */
function serverRssMib(groupId: number): number {
  let largest = 0
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) !== groupId) continue
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
      largest = Math.max(largest, Number(rss?.[1] ?? 0) / 1024)
    } catch {
      /* gone meanwhile */
    }
  }
  return largest
}

// VIRTNET_BENCH_PORT moves the server as for the networks page (one above it).
export async function benchHostTabs(
  hostRow: { id: string },
  host: HostTarget,
  port = Number(process.env.VIRTNET_BENCH_PORT ?? 3200) + 1,
) {
  const token = await benchSession('bench-tabs', 'admin')
  const base = `http://127.0.0.1:${port}/hosts/${hostRow.id}`
  const tabs: Record<string, string> = {
    overview: base,
    networks: `${base}/networks`,
    network: `${base}/networks/default`,
    dhcp: `${base}/networks/default/dhcp`,
    guests: `${base}/guests`,
    forwards: `${base}/forwards`,
    sriov: `${base}/sriov`,
    bridges: `${base}/bridges`,
  }
  const extraHosts = Array.from({ length: 99 }, (_, i) => `vnperf-mem-${process.pid}-${i}`)
  const journal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vn-tabs-')), 'phases.jsonl')
  fs.writeFileSync(journal, '')
  let journalRead = 0
  /** The journal lines the server wrote since the last call (it writes each before its page is answered). */
  const newEntries = (): Journal[] => {
    const text = fs.readFileSync(journal, 'utf8')
    const fresh = text.slice(journalRead)
    journalRead = text.length
    return fresh
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Journal)
  }
  const server = await startServer(port, { VIRTNET_PHASES_FILE: journal })
  try {
    const get = async (url: string) => {
      const t0 = performance.now()
      const response = await fetch(url, { headers: { cookie: `${sessionCookieName}=${token}` } })
      const body = await response.text()
      // A tab that could not read the host still answers 200 with the error: that would be no measurement.
      if (!response.ok || /Cannot reach|could not run|Confirm the host key first/.test(body))
        throw new Error(`${url} answered ${response.status} without the host's state`)
      return performance.now() - t0
    }
    await startUpRefreshDone()
    const worst: number[] = []
    for (const [name, url] of Object.entries(tabs)) {
      await get(url)
      newEntries()
      const samples: Array<{ wall: number; entries: Journal[] }> = []
      for (let i = 0; i < visits; i++) samples.push({ wall: await get(url), entries: newEntries() })
      const walls = samples.map((sample) => sample.wall)
      report(`page.tab.${name}_p50_ms`, percentile(walls, 50), 'ms')
      report(`page.tab.${name}_p95_ms`, percentile(walls, 95), 'ms')
      reportTabPhases(name, samples)
      worst.push(percentile(walls, 95))
    }
    report('page.tabs_p95_ms', Math.max(...worst), 'ms')
    // The raw cost: one round trip with two virsh processes that read every network and guest of the host.
    await run(host, sh`true`)
    const raw: number[] = []
    for (let i = 0; i < visits; i++) {
      const t0 = performance.now()
      await readInventory(host, { leases: true })
      raw.push(performance.now() - t0)
    }
    report('page.raw_virsh_batch_p50_ms', percentile(raw, 50), 'ms')
    report('page.raw_virsh_batch_p95_ms', percentile(raw, 95), 'ms')

    // 100 hosts registered (lab host B and 99 that are never connected): the hosts list and every tab visited once.
    await db.host.createMany({ data: extraHosts.map((name, i) => ({ name, address: '127.0.0.1', port: 40000 + i })) })
    const hosts = await fetch(`http://127.0.0.1:${port}/hosts`, {
      headers: { cookie: `${sessionCookieName}=${token}` },
    })
    await hosts.text()
    for (const url of Object.values(tabs)) await get(url)
    report('mem.rss100_mib', serverRssMib(server.pid!), 'MiB')
  } finally {
    process.kill(-server.pid!, 'SIGTERM')
    await db.host.deleteMany({ where: { name: { in: extraHosts } } })
    fs.rmSync(path.dirname(journal), { recursive: true, force: true })
  }
}
