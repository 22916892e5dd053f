import 'server-only'
import type { NetworkSpec } from '@/lib/libvirt-xml/network-kinds'

const kindWords: Record<NetworkSpec['kind'], string> = {
  nat: 'NAT network',
  route: 'routed network',
  open: 'open network',
  isolated: 'isolated network',
  direct: 'macvtap pool',
  openvswitch: 'Open vSwitch network',
}

/** A new network in words, for the message after it was created: "routed network lab on virbr3 (10.1.2.0/24, …)". */
export function describeNetwork(spec: NetworkSpec): string {
  const where =
    spec.kind === 'direct'
      ? ` (${spec.directMode} over ${(spec.interfaces ?? []).join(', ')})`
      : spec.bridge
        ? ` on ${spec.bridge}`
        : ''
  const families = [spec.ipv4, spec.ipv6].flatMap((ip) =>
    ip ? [`${ip.address}/${ip.prefix}${ip.dhcp ? `, DHCP ${ip.dhcp.start}–${ip.dhcp.end}` : ''}`] : [],
  )
  return `${kindWords[spec.kind]} ${spec.name}${where}${families.length ? ` (${families.join('; ')})` : ''}`
}
