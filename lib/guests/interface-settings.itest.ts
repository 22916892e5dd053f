import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { createGuestBed, guestBedNames, removeGuestBed } from '@/lib/test/guest-interface-testbed'
import { lostNodes, sourceOnly } from '@/lib/test/xml-lost-nodes'
import { changeInterfaceNetwork, detachInterface } from '@/lib/guests/changes'
import { listGuests } from '@/lib/guests/read'
import { previewOf } from '@/lib/plan/dry-run'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { sh } from '@/lib/ssh'
import { interfaceByMac } from '@/lib/libvirt-xml/domain-interface'
import { parseXml } from '@/lib/xml/xml-parse'

/*
 * Moving and detaching a guest's interface on lab hosts B (libvirt 9) and C (libvirt 11) keeps every setting it had:
 * the definitions before and after are compared as `virsh dumpxml` prints them, read through the lab's own shell (not
 * through Virtnet).
 */

const interfaceTree = (domainXml: string, mac: string) => parseXml(interfaceByMac(domainXml, mac)!.xml).root
/** The document's lines other than the one of the interface's <source> (which a move is asked to change). */
const besideSource = (xml: string, mac: string) => {
  const lines = xml.split('\n')
  const at = lines.findIndex((line) => line.includes(`<mac address='${mac}'/>`))
  const source = lines.findIndex((line, i) => i > at && line.trim().startsWith('<source '))
  return { others: lines.filter((_, i) => i !== source), source: lines[source]!.trim() }
}

describe.each(libvirtLabHosts)('guest interfaces keep every setting on $name (libvirt $libvirt)', (lab) => {
  const inHost = lab.exec
  const id = process.pid % 10000
  const bed = guestBedNames(`${lab.name.slice(-1)}${id}`, 230 + (process.pid % 20))
  const [netA, netB] = bed.networks
  const [bridgeA, bridgeB] = bed.bridges
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  const dumpxml = (guest: string, inactive: boolean) => inHost(`virsh dumpxml ${guest}${inactive ? ' --inactive' : ''}`)
  const masterOf = (tap: string) => inHost(`basename "$(readlink /sys/class/net/${tap}/master)"`).trim()
  describe('moves and detaches', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      await createGuestBed(host.target, bed, { running: true })
    })
    afterAll(async () => {
      await removeGuestBed(host.target, bed)
    })

    it("moves a shut-off guest's rich interface: the definition differs only in the network, slot 7 stays", async () => {
      const before = dumpxml(bed.off.name, true)
      expect(before).toContain(`<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>`)
      await changeInterfaceNetwork(host.target, { guest: bed.off.name, mac: bed.off.mac, network: netB })
      const after = dumpxml(bed.off.name, true)
      expect(after).toBe(
        before.replace(`<source network='${netA}' portgroup='pg1'/>`, `<source network='${netB}' portgroup='pg1'/>`),
      )
      expect(after).not.toBe(before)
      expect(lostNodes(interfaceTree(before, bed.off.mac), interfaceTree(after, bed.off.mac), sourceOnly)).toEqual([])
    })

    const failing = { label: 'A step that fails (injected by the test)', command: sh`false` }

    it('detaches, and when a later step fails, puts the element back exactly: by attach-device', async () => {
      const { name, mac } = bed.plain
      const before = dumpxml(name, true)
      const detach = await previewOf(() => detachInterface(host.target, { guest: name, mac }))
      const config = detach.steps.find((s) => String(s.command).endsWith('--config'))!
      expect(String(config.undo!.command)).toContain('attach-device')
      expect(config.undo!.stdin).toBe(interfaceByMac(before, mac)!.xml)
      // The definition's side alone: a live unplug of this OS-less guest would stay pending and could not be undone.
      const outcome = executePlan(host.target, { ...detach, steps: [config, failing] })
      await expect(outcome).rejects.toBeInstanceOf(PlanFailedError)
      await expect(outcome).rejects.toThrow(/Rolled back: Detach interface/)
      expect(dumpxml(name, true)).toBe(before)
    })

    it("detaches the definition's only boot device, and puts the definition back exactly when a later step fails", async () => {
      const before = dumpxml(bed.off.name, true)
      const detach = await previewOf(() => detachInterface(host.target, { guest: bed.off.name, mac: bed.off.mac }))
      expect(detach.steps).toHaveLength(1)
      // Without the interface libvirt adds <boot dev='hd'/> and refuses an element with <boot order> from then on.
      expect(String(detach.steps[0]!.undo!.command)).toContain(' define --file /dev/stdin')
      const outcome = executePlan(host.target, { ...detach, steps: [...detach.steps, failing] })
      await expect(outcome).rejects.toBeInstanceOf(PlanFailedError)
      await expect(outcome).rejects.toThrow(/Rolled back: Detach interface/)
      expect(dumpxml(bed.off.name, true)).toBe(before)
    })

    it('moves a running guest: the live and the persistent XML, each edited from its own, differ only in the source', async () => {
      const { name, mac } = bed.running
      // A change pending in the definition only: the live interface's link stays up, the definition's goes down.
      inHost(
        `virsh dumpxml ${name} --inactive | sed -n '/<interface/,/<\\/interface>/p' | sed "s|<link state='up'/>|<link state='down'/>|" > /tmp/${name}.xml && virsh -q update-device ${name} --file /tmp/${name}.xml --config; rm -f /tmp/${name}.xml`,
      )
      const [liveBefore, configBefore] = [dumpxml(name, false), dumpxml(name, true)]
      expect(configBefore).toContain(`<link state='down'/>`)
      expect(liveBefore).toContain(`<link state='up'/>`)
      const tap = (await listGuests(host.target)).find((g) => g.name === name)!.interfaces[0]!.tap!
      expect(masterOf(tap)).toBe(bridgeA)

      const plan = await previewOf(() => changeInterfaceNetwork(host.target, { guest: name, mac, network: netB }))
      expect(plan.steps.map((s) => String(s.command).split(' ').at(-1))).toEqual(['--config', '--live'])
      await changeInterfaceNetwork(host.target, { guest: name, mac, network: netB })

      const [liveAfter, configAfter] = [dumpxml(name, false), dumpxml(name, true)]
      expect(configAfter).toBe(
        configBefore.replace(
          `<source network='${netA}' portgroup='pg1'/>`,
          `<source network='${netB}' portgroup='pg1'/>`,
        ),
      )
      const [live, liveMoved] = [besideSource(liveBefore, mac), besideSource(liveAfter, mac)]
      expect(liveMoved.others).toEqual(live.others)
      expect(live.source).toMatch(
        new RegExp(`^<source network='${netA}' portgroup='pg1' portid='[-0-9a-f]+' bridge='${bridgeA}'/>$`),
      )
      expect(liveMoved.source).toMatch(
        new RegExp(`^<source network='${netB}' portgroup='pg1' portid='[-0-9a-f]+' bridge='${bridgeB}'/>$`),
      )
      for (const [before, after] of [
        [liveBefore, liveAfter],
        [configBefore, configAfter],
      ] as const)
        expect(lostNodes(interfaceTree(before, mac), interfaceTree(after, mac), sourceOnly)).toEqual([])
      expect(masterOf(tap)).toBe(bridgeB)
    })

    it('moves an interface plugged into the running guest only, leaving the definition as it is', async () => {
      const { name, hotplugMac } = bed.running
      inHost(
        `printf '%s' "<interface type='network'><mac address='${hotplugMac}'/><source network='${netA}'/><model type='virtio'/><mtu size='1300'/></interface>" > /tmp/${name}-hot.xml && virsh -q attach-device ${name} --file /tmp/${name}-hot.xml --live; rm -f /tmp/${name}-hot.xml`,
      )
      const [liveBefore, configBefore] = [dumpxml(name, false), dumpxml(name, true)]
      expect(interfaceByMac(configBefore, hotplugMac)).toBeUndefined()
      const plan = await previewOf(() =>
        changeInterfaceNetwork(host.target, { guest: name, mac: hotplugMac, network: netB }),
      )
      expect(plan.steps.map((s) => String(s.command).split(' ').at(-1))).toEqual(['--live'])
      await changeInterfaceNetwork(host.target, { guest: name, mac: hotplugMac, network: netB })
      expect(dumpxml(name, true)).toBe(configBefore)
      const liveAfter = dumpxml(name, false)
      expect(besideSource(liveAfter, hotplugMac).others).toEqual(besideSource(liveBefore, hotplugMac).others)
      expect(besideSource(liveAfter, hotplugMac).source).toContain(`network='${netB}'`)
    })

    it('says in words when the running guest cannot take the move, and changes nothing', async () => {
      const { name, mac } = bed.plain
      const [liveBefore, configBefore] = [dumpxml(name, false), dumpxml(name, true)]
      const move = changeInterfaceNetwork(host.target, { guest: name, mac, network: bed.direct.network })
      await expect(move).rejects.toThrow(
        /failed: libvirt cannot make this change to the running guest's device \(unable to change config on 'network' network type\); shut the guest down and change it then\. Rolled back: Move/,
      )
      expect(dumpxml(name, false)).toBe(liveBefore)
      expect(dumpxml(name, true)).toBe(configBefore)
    })
  })
})
