// A restart-class edit (an <mtu> change) of a network with running guests, end to end: redefine, restart, re-attach
// every tap, verify. Runs on a private network with two tiny guests on lab host B (never on `default`).
import type { HostTarget } from '@/lib/ssh'
import { applyNetworkEdit } from '@/lib/network-edit/changes'
import { networkTapsOffBridge } from '@/lib/network-edit/read'
import { createTestbed, removeTestbed, testbedNames } from '@/lib/test/network-edit-testbed'
import { networkXml } from '@/lib/libvirt/read-networks'
import { definitionVersion } from '@/lib/network-edit/version'
import { db } from '@/lib/db/client'
import { percentile, report } from './stats'

export async function benchNetedit(hostRow: { id: string; name: string }, host: HostTarget) {
  const bed = testbedNames(`b${process.pid % 100000}`, 202, 2)
  const actor = { id: 'bench', username: 'bench', role: 'admin' as const }
  await createTestbed(host, bed)
  try {
    const samples: number[] = []
    let off = 0
    for (const mtu of [1400, 1450, 1400, 1450, 1500]) {
      const opened = await networkXml(host, bed.network, { inactive: true })
      const xml = opened.replace(/\s*<mtu [^>]*\/>/, '')
      const edited = xml.replace('</network>', `  <mtu size='${mtu}'/>\n</network>`)
      const t0 = performance.now()
      const outcome = await applyNetworkEdit(hostRow, host, actor, bed.network, edited, definitionVersion(opened))
      await outcome.finished
      samples.push(performance.now() - t0)
      const job = await db.job.findUniqueOrThrow({ where: { id: outcome.jobId! } })
      if (job.status !== 'succeeded') throw new Error(`netedit job failed: ${job.error}`)
      off += (await networkTapsOffBridge(host, bed.network)).off.length
    }
    report('netedit.restart_reattach_ms', percentile(samples, 50), 'ms')
    report('netedit.taps_off_bridge', off, 'taps')
  } finally {
    await removeTestbed(host, bed)
  }
}
