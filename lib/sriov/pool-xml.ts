import 'server-only'
import { renderXml } from '@/lib/xml/xml-render'
import { renderElement } from '@/lib/xml/xml-render'
import { element, text, type XmlElement } from '@/lib/xml/xml-tree'
import { pciToLibvirt } from '@/lib/sriov/sysfs'

/** A hostdev pool: libvirt hands each guest interface on it one free VF of the PF (it reads the VFs at pool start). */
export function buildHostdevPoolXml(name: string, pf: string): string {
  const forward = element('forward', { mode: 'hostdev', managed: 'yes' }, [element('pf', { dev: pf })])
  return renderXml({
    prolog: [],
    root: element('network', {}, [element('name', {}, [text(name)]), forward]),
    epilog: [],
  })
}

export type VfInterfaceOptions = { mac: string; vlan?: number; profileid?: string }

function common(options: VfInterfaceOptions): { mac: XmlElement; tail: XmlElement[] } {
  const tail: XmlElement[] = []
  if (options.vlan !== undefined) tail.push(element('vlan', {}, [element('tag', { id: String(options.vlan) })]))
  if (options.profileid)
    tail.push(element('virtualport', { type: '802.1Qbh' }, [element('parameters', { profileid: options.profileid })]))
  return { mac: element('mac', { address: options.mac }), tail }
}

/** A guest interface on a pool network; libvirt picks the VF and programs the MAC (and VLAN) into it at start. */
export function poolInterfaceXml(pool: string, options: VfInterfaceOptions): string {
  const { mac, tail } = common(options)
  return renderElement(element('interface', { type: 'network' }, [mac, element('source', { network: pool }), ...tail]))
}

/** A guest interface pinned to one VF by PCI address; managed='yes' lets libvirt detach it from the host driver. */
export function pinnedVfInterfaceXml(pci: string, options: VfInterfaceOptions): string {
  const { mac, tail } = common(options)
  const address = element('address', { type: 'pci', ...pciToLibvirt(pci) })
  return renderElement(
    element('interface', { type: 'hostdev', managed: 'yes' }, [mac, element('source', {}, [address]), ...tail]),
  )
}
