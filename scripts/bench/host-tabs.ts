// Server time of every host tab on lab host B (the production build over HTTP, a real user's session): p95 over 20
// visits each, the worst tab as `page.tabs_p95_ms`; beside it the raw cost of a page's host reads (one batched
// virsh read of every network and guest) in the same run, and the dashboard's memory with 100 hosts registered.
import fs from 'node:fs'
import { db } from '@/lib/db/client'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { readInventory } from '@/lib/libvirt/inventory'
import { sessionCookieName } from '@/lib/auth/cookie'
import { benchSession, startServer } from './networks-page'
import { percentile, report } from './stats'

const visits = 20

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

export async function benchHostTabs(hostRow: { id: string }, host: HostTarget, port = 3201) {
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
  const server = await startServer(port)
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
    const worst: number[] = []
    for (const [name, url] of Object.entries(tabs)) {
      await get(url)
      const samples: number[] = []
      for (let i = 0; i < visits; i++) samples.push(await get(url))
      report(`page.tab.${name}_p50_ms`, percentile(samples, 50), 'ms')
      report(`page.tab.${name}_p95_ms`, percentile(samples, 95), 'ms')
      worst.push(percentile(samples, 95))
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
  }
}
