import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewOf } from '@/lib/plan/dry-run'
import { applyNetworkEdit } from '@/lib/network-edit/changes'
import { definitionVersion } from '@/lib/network-edit/version'
import { restartReattachPlan } from '@/lib/network-edit/plans'
import { runningGuestTaps } from '@/lib/network-edit/taps'
import { networkXml } from '@/lib/libvirt/read-networks'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { createTestbed, removeTestbed, type Testbed } from '@/lib/test/network-edit-testbed'
import { expectUndoAtEveryStep } from '@/lib/test/undo-harness'

/*
 * The undo of real network-edit plans on lab hosts B (libvirt 9) and C (libvirt 11), on a network of this test's own
 * with two running guests: an edit libvirt applies live (one net-update per change), and one that needs a restart (the
 * new definition saved, then stop, start, re-attach every guest tap, verify), each run with a failure injected at each
 * step. Each host, read inside it (both definitions, the bridge and its MTU, which bridge each guest's tap is a port
 * of), ends as it began.
 */

const tag = process.pid % 200
const octet = 214
const actor = { id: 'itest', username: 'itest-undo', role: 'admin' as const }

/** Static hosts compared as a set: an undone delete comes back with add-last, at the end (libvirt has no insert-at). */
const hostsLast = (xml: string) => {
  const lines = xml.split('\n').map((line) => line.trim())
  const isHost = (line: string) => line.startsWith('<host ')
  return [...lines.filter((line) => !isHost(line)), ...lines.filter(isHost).sort()]
}

describe.each(libvirtLabHosts)('the undo of network-edit plans on $name (libvirt $libvirt)', (lab) => {
  const bed: Testbed = {
    network: `vnu-ne${lab.name.slice(-1)}${tag}`,
    bridge: `vnune${tag}`,
    guests: [0, 1].map((i) => `vnu-ne${lab.name.slice(-1)}${tag}-g${i}`),
    subnet: `10.${octet}.${tag}.0/24`,
    macs: [0, 1].map((i) => `52:54:00:14:${tag.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`),
  }
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const inHost = lab.exec
  const snapshot = () => ({
    // libvirt 9 leaves the guest count (<network connections='2'>) out of the live XML after any net-update, undone or
    // not: it is libvirt's bookkeeping, not the definition; the guests' taps below show they stay plugged in
    live: hostsLast(inHost(`virsh net-dumpxml ${bed.network}`).replace(/^<network connections='\d+'>/, '<network>')),
    persistent: hostsLast(inHost(`virsh net-dumpxml ${bed.network} --inactive`)),
    bridgeMtu: inHost(`cat /sys/class/net/${bed.bridge}/mtu`),
    // each running guest's tap and the bridge it is a port of, from sysfs
    taps: inHost(
      `for g in ${bed.guests.join(' ')}; do for t in $(virsh -q domiflist $g | awk '{print $1}'); do echo "$g $t $(basename "$(readlink /sys/class/net/$t/master 2>/dev/null)")"; done; done`,
    ),
  })

  describe('each plan', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      await createTestbed(host.target, bed)
    })
    afterAll(async () => {
      await removeTestbed(host.target, bed)
    })

    it('a live edit (two DHCP hosts added): each net-update undone at every step', async () => {
      const xml = await networkXml(host.target, bed.network, { inactive: true })
      const prefix = `10.${octet}.${tag}`
      const edited = xml.replace(
        '</dhcp>',
        `  <host mac='52:54:00:14:ee:01' name='e1' ip='${prefix}.71'/>\n      <host mac='52:54:00:14:ee:02' name='e2' ip='${prefix}.72'/>\n    </dhcp>`,
      )
      const plan = await previewOf(() =>
        applyNetworkEdit(host.row, host.target, actor, bed.network, edited, definitionVersion(xml)),
      )
      expect(plan.detail).toMatchObject({ kind: 'network-edit', edit: { kind: 'live' } })
      expect(plan.steps).toHaveLength(2)
      expect(snapshot().taps.trim().split('\n')).toHaveLength(2)
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 2, withoutUndo: [] })
    })

    it('a restart edit (<mtu>): saved definition, stop, start, re-attach each tap, verify: undone at every step', async () => {
      const previousXml = await networkXml(host.target, bed.network, { inactive: true })
      const edited = previousXml.replace('</network>', "  <mtu size='1400'/>\n</network>")
      // the edit's first plan (save the new definition), exactly as the editor would run it
      const define = await previewOf(() =>
        applyNetworkEdit(host.row, host.target, actor, bed.network, edited, definitionVersion(previousXml)),
      )
      expect(define.detail).toMatchObject({ kind: 'network-edit', edit: { kind: 'restart' } })
      // then the job it starts: the capability's own builder, with the taps it reads the same way
      const taps = await runningGuestTaps(host.target, bed.network)
      expect(taps.map((t) => t.guest).sort()).toEqual(bed.guests)
      const restart = restartReattachPlan({
        network: bed.network,
        previousXml,
        previousBridge: bed.bridge,
        bridge: bed.bridge,
        taps,
      })
      const plan = { title: 'Save and restart', steps: [...define.steps, ...restart.steps] }
      expect(plan.steps.map((step) => step.label.split(' ')[0])).toEqual([
        'Define',
        'Stop',
        'Start',
        'Re-attach',
        'Re-attach',
        'Verify',
      ])
      // The re-attach and verify steps have no undo and need none: undoing the stop re-creates the previous network
      // and plugs every tap into it again. So the failure goes after each of them too.
      const before = snapshot()
      expect(before.taps).toContain(` ${bed.bridge}\n`)
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot, { pastStepsWithoutUndo: true })).toEqual({
        scenarios: 6,
        withoutUndo: [plan.steps[3]!.label, plan.steps[4]!.label, plan.steps[5]!.label],
      })
    })
  })
})
