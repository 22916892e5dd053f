import 'server-only'
import type { XmlDocument } from '@/lib/xml/xml-tree'

/*
 * Read-only typed view of a libvirt <network>. It is derived from the document tree and never
 * written back: edits go through the tree (network-update.ts, network-dhcp-edit.ts) so that
 * elements this view does not model (vlan, bandwidth, virtualport details, metadata, dnsmasq
 * options, ...) survive unchanged. Values are as written in the XML unless noted.
 */

export type PciAddress = { domain: string; bus: string; slot: string; function: string }

export type DhcpLeaseTime = {
  /** 0 means infinite. */
  expiry: number
  /** libvirt's default unit is minutes. */
  unit: 'seconds' | 'minutes' | 'hours'
}

export type DhcpRange = { start: string; end: string; lease?: DhcpLeaseTime }

export type DhcpHost = { mac?: string; id?: string; name?: string; ip?: string; lease?: DhcpLeaseTime }

export type NetworkIp = {
  /** Position among the network's <ip> elements: the `parentIndex` of `virsh net-update`. */
  index: number
  family: 'ipv4' | 'ipv6'
  address: string
  /** From prefix=, else derived from netmask=, else libvirt's default (classful for IPv4, 64 for IPv6). */
  prefix: number
  netmask?: string
  localPtr?: boolean
  dhcp?: { ranges: DhcpRange[]; hosts: DhcpHost[] }
  tftp?: { root: string }
  bootp?: { file: string; server?: string }
}

export type NetworkForward = {
  /** libvirt treats <forward/> without mode as mode='nat'. */
  mode: string
  dev?: string
  /** hostdev pools only. */
  managed?: boolean
  pf: string[]
  /** <interface dev=...> pool entries. */
  interfaces: string[]
  /** <address type='pci'> pool entries (hostdev). */
  addresses: PciAddress[]
  driver?: string
  nat?: { addressStart?: string; addressEnd?: string; portStart?: number; portEnd?: number; ipv6?: boolean }
}

export type NetworkDns = {
  enabled?: boolean
  forwardPlainNames?: boolean
  forwarders: Array<{ addr?: string; domain?: string }>
  txt: Array<{ name: string; value?: string }>
  hosts: Array<{ ip?: string; hostnames: string[] }>
  srv: DnsSrvRecord[]
}

/** A <dns><srv> record's attributes. */
export type DnsSrvRecord = {
  service?: string
  protocol?: string
  domain?: string
  target?: string
  port?: number
  priority?: number
  weight?: number
}

export type NetworkRoute = {
  family: 'ipv4' | 'ipv6'
  address: string
  prefix: number
  gateway: string
  metric?: number
}

export type NetworkDefinition = {
  name: string
  uuid?: string
  title?: string
  description?: string
  /** Number of guest interfaces connected (live XML of an active network only). */
  connections?: number
  /** <network ipv6='yes'>: allow guest IPv6 without an IPv6 address on the bridge. */
  ipv6?: boolean
  trustGuestRxFilters?: boolean
  forward?: NetworkForward
  bridge?: { name?: string; stp?: boolean; delay?: number; macTableManager?: string; zone?: string }
  /** Bridge MAC address. */
  mac?: string
  domain?: { name: string; localOnly?: boolean }
  mtu?: number
  dns?: NetworkDns
  ips: NetworkIp[]
  routes: NetworkRoute[]
  /** <port isolated='yes'/>: guests on this network cannot talk to each other. */
  isolatedPorts?: boolean
  virtualportType?: string
  portgroups: Array<{ name: string; isDefault: boolean; trustGuestRxFilters?: boolean }>
  /** The tree the view was read from; edit this, not the view. */
  doc: XmlDocument
}
