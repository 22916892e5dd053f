import 'server-only'
import { renderXml } from '@/lib/xml/xml-render'
import { element, text, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * New network definitions of every kind libvirt has, for `virsh net-define`: NAT, routed, open and isolated networks
 * with their own bridge and addresses (both families), macvtap ("direct") pools over host interfaces, and Open
 * vSwitch bridges with portgroups. The input has been checked by the form's schema and against the host (see
 * lib/networks/network-layout.ts); this module only shapes it the way libvirt formats it (`net-dumpxml`'s element
 * order: forward, bridge, mtu, domain, dns, virtualport, portgroup, ip), so the preview shows what libvirt will keep.
 */

/** Networks with a bridge of their own and addresses libvirt serves. */
export const routedKinds = ['nat', 'route', 'open', 'isolated'] as const
export const networkKinds = [...routedKinds, 'direct', 'openvswitch'] as const
export type NetworkKind = (typeof networkKinds)[number]
export const directModes = ['bridge', 'vepa', 'private', 'passthrough'] as const
export type DirectMode = (typeof directModes)[number]

export type AddressFamilySpec = {
  /** The bridge's own address (the guests' gateway), e.g. 10.1.2.1 or fd00:1::1. */
  address: string
  prefix: number
  dhcp?: { start: string; end: string }
}

export type PortgroupSpec = { name: string; vlanTags: number[]; isDefault: boolean }

export type NetworkSpec = {
  name: string
  kind: NetworkKind
  /** routed kinds: the bridge libvirt creates; openvswitch: the existing OVS bridge. */
  bridge?: string
  /** nat/route: the host interface traffic leaves by (optional). */
  forwardDev?: string
  ipv4?: AddressFamilySpec
  ipv6?: AddressFamilySpec
  /** nat only: the addresses and ports masqueraded traffic leaves with. */
  nat?: { addressStart?: string; addressEnd?: string; portStart?: number; portEnd?: number }
  domain?: { name: string; localOnly: boolean }
  forwarders?: string[]
  dnsHosts?: Array<{ ip: string; names: string[] }>
  mtu?: number
  /** direct only */
  directMode?: DirectMode
  interfaces?: string[]
  /** openvswitch only */
  portgroups?: PortgroupSpec[]
}

export const isRoutedKind = (kind: NetworkKind): kind is (typeof routedKinds)[number] =>
  (routedKinds as readonly string[]).includes(kind)

function forwardElement(spec: NetworkSpec): XmlElement | null {
  const dev = spec.forwardDev ? { dev: spec.forwardDev } : {}
  switch (spec.kind) {
    case 'isolated':
      return null
    case 'nat': {
      const nat = spec.nat ?? {}
      const children: XmlElement[] = []
      if (nat.addressStart && nat.addressEnd)
        children.push(element('address', { start: nat.addressStart, end: nat.addressEnd }))
      if (nat.portStart !== undefined && nat.portEnd !== undefined)
        children.push(element('port', { start: String(nat.portStart), end: String(nat.portEnd) }))
      return element('forward', { mode: 'nat', ...dev }, children.length ? [element('nat', {}, children)] : [])
    }
    case 'route':
    case 'open':
      return element('forward', { mode: spec.kind, ...dev })
    case 'direct':
      return element(
        'forward',
        { mode: spec.directMode ?? 'bridge' },
        (spec.interfaces ?? []).map((name) => element('interface', { dev: name })),
      )
    case 'openvswitch':
      return element('forward', { mode: 'bridge' })
  }
}

function ipElement(family: 'ipv4' | 'ipv6', ip: AddressFamilySpec): XmlElement {
  const attributes =
    family === 'ipv4'
      ? { address: ip.address, prefix: String(ip.prefix) }
      : { family, address: ip.address, prefix: String(ip.prefix) }
  const children = ip.dhcp ? [element('dhcp', {}, [element('range', { start: ip.dhcp.start, end: ip.dhcp.end })])] : []
  return element('ip', attributes, children)
}

function dnsElement(spec: NetworkSpec): XmlElement | null {
  const children = [
    ...(spec.forwarders ?? []).map((addr) => element('forwarder', { addr })),
    ...(spec.dnsHosts ?? []).map((host) =>
      element(
        'host',
        { ip: host.ip },
        host.names.map((name) => element('hostname', {}, [text(name)])),
      ),
    ),
  ]
  return children.length ? element('dns', {}, children) : null
}

function portgroupElement(group: PortgroupSpec): XmlElement {
  const children = group.vlanTags.length
    ? [
        element(
          'vlan',
          group.vlanTags.length > 1 ? { trunk: 'yes' } : {},
          group.vlanTags.map((id) => element('tag', { id: String(id) })),
        ),
      ]
    : []
  return element('portgroup', { name: group.name, ...(group.isDefault ? { default: 'yes' } : {}) }, children)
}

/** The definition of a new network of any kind, as libvirt would format it. */
export function buildNetworkSpecXml(spec: NetworkSpec): string {
  const children: XmlElement[] = [element('name', {}, [text(spec.name)])]
  const forward = forwardElement(spec)
  if (forward) children.push(forward)
  if (isRoutedKind(spec.kind)) {
    if (spec.bridge) children.push(element('bridge', { name: spec.bridge, stp: 'on', delay: '0' }))
    if (spec.mtu !== undefined) children.push(element('mtu', { size: String(spec.mtu) }))
    if (spec.domain)
      children.push(
        element('domain', { name: spec.domain.name, ...(spec.domain.localOnly ? { localOnly: 'yes' } : {}) }),
      )
    const dns = dnsElement(spec)
    if (dns) children.push(dns)
    if (spec.ipv4) children.push(ipElement('ipv4', spec.ipv4))
    if (spec.ipv6) children.push(ipElement('ipv6', spec.ipv6))
  } else if (spec.kind === 'openvswitch') {
    if (spec.bridge) children.push(element('bridge', { name: spec.bridge }))
    if (spec.mtu !== undefined) children.push(element('mtu', { size: String(spec.mtu) }))
    children.push(element('virtualport', { type: 'openvswitch' }))
    children.push(...(spec.portgroups ?? []).map(portgroupElement))
  }
  return renderXml({ prolog: [], root: element('network', {}, children), epilog: [] })
}
