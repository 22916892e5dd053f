import { describe, expect, it } from 'vitest'
import { detachInterfacePlan, moveInterfacePlan, type InterfaceOnSide } from '@/lib/guests/plans'
import { interfaceByMac, movedInterfaceXml } from '@/lib/libvirt-xml/domain-interface'

// Hand-written: a running guest whose definition holds a pending change (a PCI slot and a link state the live
// interface does not have yet), as `virsh dumpxml` and `virsh dumpxml --inactive` print it.
const mac = '52:54:00:9d:10:01'
const inactive = `<domain type='qemu'>
  <name>vnd-g</name>
  <devices>
    <interface type='network'>
      <mac address='${mac}'/>
      <source network='lab-a'/>
      <model type='virtio'/>
      <link state='down'/>
      <alias name='ua-vnd'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>
  </devices>
</domain>
`
const live = `<domain type='qemu' id='3'>
  <name>vnd-g</name>
  <devices>
    <interface type='network'>
      <mac address='${mac}'/>
      <source network='lab-a' portid='0c6f1f9e-5e0e-4c4e-9a59-3b0b5e2a1d11' bridge='virbr7'/>
      <target dev='vnet4'/>
      <model type='virtio'/>
      <alias name='ua-vnd'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </interface>
  </devices>
</domain>
`
const side = (scope: 'config' | 'live', domain: string): InterfaceOnSide => {
  const nic = interfaceByMac(domain, mac)!
  return { scope, type: nic.type, xml: nic.xml }
}
const exactly = (domain: string) => domain.slice(domain.indexOf('<interface'), domain.indexOf('</interface>') + 12)

describe('moveInterfacePlan', () => {
  const sides = [side('live', live), side('config', inactive)]
  const moves = sides.map((s) => ({
    side: s,
    from: 'network lab-a',
    movedXml: movedInterfaceXml(s.xml, { type: 'network', network: 'lab-b' }),
  }))
  const plan = moveInterfacePlan('vnd-g', mac, 'network lab-b', moves)

  it('moves the definition first, then the running guest, each with update-device on stdin', () => {
    expect(plan.steps.map((s) => String(s.command))).toEqual([
      `LC_ALL=C virsh -q -c qemu:///system update-device --domain vnd-g --file /dev/stdin --config`,
      `LC_ALL=C virsh -q -c qemu:///system update-device --domain vnd-g --file /dev/stdin --live`,
    ])
    expect(plan.steps.map((s) => s.label)).toEqual([
      `Move ${mac} of vnd-g from network lab-a to network lab-b (persistent definition)`,
      `Move ${mac} of vnd-g from network lab-a to network lab-b (running guest)`,
    ])
  })

  it('edits each side from its own XML: the definition keeps its pending link state and slot 7, the live side its tap', () => {
    const [config, running] = plan.steps
    expect(config!.stdin).toContain(`<link state='down'/>`)
    expect(config!.stdin).toContain(`slot='0x07'`)
    expect(config!.stdin).toContain(`<source network='lab-b'/>`)
    expect(running!.stdin).toContain(`<target dev='vnet4'/>`)
    expect(running!.stdin).toContain(`slot='0x03'`)
    expect(running!.stdin).not.toContain('<link')
  })

  it('undoes each side with the element that side held, byte for byte as read', () => {
    const [config, running] = plan.steps
    expect(config!.undo!.stdin).toBe(exactly(inactive))
    expect(running!.undo!.stdin).toBe(exactly(live))
    expect(String(config!.undo!.command)).toBe(String(config!.command))
    expect(String(running!.undo!.command)).toBe(String(running!.command))
  })
})

describe('detachInterfacePlan', () => {
  const plan = detachInterfacePlan('vnd-g', mac, 'network lab-a', [side('live', live), side('config', inactive)])

  it('detaches from the definition, then from the running guest', () => {
    expect(plan.steps.map((s) => String(s.command))).toEqual([
      `LC_ALL=C virsh -q -c qemu:///system detach-interface --domain vnd-g --type network --mac ${mac} --config`,
      `LC_ALL=C virsh -q -c qemu:///system detach-interface --domain vnd-g --type network --mac ${mac} --live`,
    ])
  })

  it('undoes each with attach-device of exactly the element that side held', () => {
    const [config, running] = plan.steps
    expect(String(config!.undo!.command)).toBe(
      'LC_ALL=C virsh -q -c qemu:///system attach-device --domain vnd-g --file /dev/stdin --config',
    )
    expect(config!.undo!.stdin).toBe(exactly(inactive))
    expect(String(running!.undo!.command)).toBe(
      'LC_ALL=C virsh -q -c qemu:///system attach-device --domain vnd-g --file /dev/stdin --live',
    )
    expect(running!.undo!.stdin).toBe(exactly(live))
  })

  it("undoes the definition's side by defining it as it was, where attaching the element back cannot work", () => {
    const withDefinition = { ...side('config', inactive), definition: inactive }
    const [config] = detachInterfacePlan('vnd-g', mac, 'network lab-a', [withDefinition]).steps
    expect(String(config!.undo!.command)).toBe('LC_ALL=C virsh -q -c qemu:///system define --file /dev/stdin')
    expect(config!.undo!.stdin).toBe(inactive)
  })
})
