import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewOf } from '@/lib/plan/dry-run'
import { attachInterface, changeInterfaceNetwork, detachInterface } from '@/lib/guests/changes'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { createGuestBed, removeGuestBed, type GuestBed } from '@/lib/test/guest-interface-testbed'
import { expectUndoAtEveryStep } from '@/lib/test/undo-harness'

/*
 * The undo of real guest-interface plans on lab hosts B (libvirt 9) and C (libvirt 11), on guests and networks of this
 * test's own: each plan from the capability's own code (previewOf), run with a failure injected at each step. Both
 * definitions of each guest (`virsh dumpxml`, and `--inactive`) and the bridge its tap is a port of, read inside the
 * host, end as they began.
 */

const tag = process.pid % 200
const octet = 213
const mac = (i: number) => `52:54:00:13:${tag.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`

describe.each(libvirtLabHosts)('the undo of guest-interface plans on $name (libvirt $libvirt)', (lab) => {
  const inHost = lab.exec
  const h = lab.name.slice(-1)
  const bed: GuestBed = {
    networks: [`vnu-gu${h}${tag}-a`, `vnu-gu${h}${tag}-b`],
    bridges: [`vnugu${h}${tag}a`, `vnugu${h}${tag}b`],
    direct: { network: `vnu-gu${h}${tag}-d`, device: `vnugu${h}${tag}v` },
    off: { name: `vnu-gu${h}${tag}-off`, mac: mac(1) },
    running: { name: `vnu-gu${h}${tag}-run`, mac: mac(2), hotplugMac: mac(3) },
    plain: { name: `vnu-gu${h}${tag}-plain`, mac: mac(4) },
    subnets: [`10.${octet}.${tag}`, `10.${octet + 1}.${tag}`],
  }
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  const guestSnapshot = (guest: string) => () => ({
    persistent: inHost(`virsh dumpxml ${guest} --inactive`),
    // a re-plugged interface gets a new port of the network, with an id of its own: libvirt's bookkeeping, not a
    // setting
    live: inHost(`virsh domstate ${guest} | grep -q running && virsh dumpxml ${guest} || echo '(not running)'`).replace(
      / portid='[0-9a-f-]+'/g,
      '',
    ),
    taps: inHost(
      `virsh domstate ${guest} | grep -q running || exit 0; for t in $(virsh -q domiflist ${guest} | awk '{print $1}'); do echo "$t $(basename "$(readlink /sys/class/net/$t/master 2>/dev/null)")"; done`,
    ),
  })

  describe('each plan', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      await createGuestBed(host.target, bed, { running: true })
    })
    afterAll(async () => {
      await removeGuestBed(host.target, bed)
    })

    it("moving a running guest's rich interface to another network (definition, then running guest): undone at every step", async () => {
      const snapshot = guestSnapshot(bed.running.name)
      const before = snapshot()
      expect(before.taps).toMatch(new RegExp(` ${bed.bridges[0]}\\n`))
      const plan = await previewOf(() =>
        changeInterfaceNetwork(host.target, {
          guest: bed.running.name,
          mac: bed.running.mac,
          network: bed.networks[1],
        }),
      )
      expect(plan.steps.map((step) => step.label)).toEqual([
        expect.stringMatching(/\(persistent definition\)$/),
        expect.stringMatching(/\(running guest\)$/),
      ])
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 2, withoutUndo: [] })
    })

    it("detaching a shut-off guest's interface that holds its only boot order: the definition comes back whole", async () => {
      const snapshot = guestSnapshot(bed.off.name)
      const plan = await previewOf(() => detachInterface(host.target, { guest: bed.off.name, mac: bed.off.mac }))
      expect(plan.steps[0]!.undo!.label).toContain('as it was, with')
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 1, withoutUndo: [] })
    })

    it('attaching an interface to a shut-off guest: undone', async () => {
      const snapshot = guestSnapshot(bed.off.name)
      const plan = await previewOf(() =>
        attachInterface(host.target, {
          guest: bed.off.name,
          type: 'network',
          source: bed.networks[1],
          model: 'virtio',
          mac: mac(9),
        }),
      )
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 1, withoutUndo: [] })
    })
  })
})
