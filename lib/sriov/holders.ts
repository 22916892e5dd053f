import 'server-only'
import { parseDomainInterfaces } from '@/lib/libvirt-xml/domain-parse'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, firstChild, getAttribute } from '@/lib/xml/xml-query'
import { canonicalMac } from '@/lib/addresses/mac-address'
import { pciFromLibvirt } from '@/lib/sriov/sysfs'

/** How a guest holds a VF: pinned by PCI address (<interface type='hostdev'> or <hostdev>), or through a pool network. */
export type VfClaim =
  | { guest: string; how: 'interface-hostdev' | 'hostdev'; pci: string; mac: string | null }
  | { guest: string; how: 'pool'; network: string; mac: string | null }

/** Every SR-IOV-relevant device of the guests: what they hold, from their domain XML (live XML while running). */
export function vfClaims(domains: Array<{ name: string; xml: string }>): VfClaim[] {
  return domains.flatMap(({ name, xml }) => {
    if (!xml.trim()) return []
    const claims: VfClaim[] = []
    for (const nic of parseDomainInterfaces(xml)) {
      const mac = nic.mac ? canonicalMac(nic.mac) : null
      if (nic.type === 'hostdev' && nic.source.pciAddress)
        claims.push({ guest: name, how: 'interface-hostdev', pci: pciFromLibvirt(nic.source.pciAddress), mac })
      if (nic.type === 'network' && nic.source.network)
        claims.push({ guest: name, how: 'pool', network: nic.source.network, mac })
    }
    const devices = firstChild(parseXml(xml).root, 'devices')
    for (const hostdev of devices ? childElements(devices, 'hostdev') : []) {
      if (getAttribute(hostdev, 'type') !== 'pci') continue
      const address = firstChild(firstChild(hostdev, 'source') ?? hostdev, 'address')
      if (!address) continue
      const attr = (key: string, fallback: string) => getAttribute(address, key) ?? fallback
      claims.push({
        guest: name,
        how: 'hostdev',
        pci: pciFromLibvirt({
          domain: attr('domain', '0'),
          bus: attr('bus', '0'),
          slot: attr('slot', '0'),
          function: attr('function', '0'),
        }),
        mac: null,
      })
    }
    return claims
  })
}
