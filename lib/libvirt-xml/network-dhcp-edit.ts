import 'server-only'
import { parseIp, sameIp } from '@/lib/addresses/ip-address'
import type { DhcpLeaseTime } from '@/lib/libvirt-xml/network-types'
import { applyNetworkUpdate } from '@/lib/libvirt-xml/net-update/network-update'
import { ipElements, networkName } from '@/lib/libvirt-xml/net-update/network-update-context'
import {
  NetworkUpdateError,
  type NetworkUpdateCommand,
  type NetworkUpdateOptions,
} from '@/lib/libvirt-xml/net-update/network-update-types'
import { getAttribute } from '@/lib/xml/xml-query'
import { renderElement } from '@/lib/xml/xml-render'
import { element, type XmlDocument, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * Typed DHCP edits for the app's own features. Each goes through applyNetworkUpdate, so it is
 * refused in exactly the cases `virsh net-update` would refuse it, and the fragment helpers give
 * the XML to hand to virsh for the same change.
 */

export type DhcpHostInput = { mac?: string; id?: string; name?: string; ip: string; lease?: DhcpLeaseTime }
/** Identifies an existing host; every field given must match (libvirt's delete rule). */
export type DhcpHostMatch = { mac?: string; name?: string; ip?: string }
export type DhcpRangeInput = { start: string; end: string; lease?: DhcpLeaseTime }

export type DhcpEditOptions = {
  /** Which <ip> (virsh --parent-index); by default libvirt's choice (the one already serving DHCP). */
  ipIndex?: number
  position?: 'first' | 'last'
  update?: NetworkUpdateOptions
}

export function dhcpHostElement(host: Partial<DhcpHostInput>): XmlElement {
  return element(
    'host',
    { mac: host.mac, id: host.id, name: host.name, ip: host.ip },
    host.lease ? [leaseElement(host.lease)] : [],
  )
}

export function dhcpRangeElement(range: DhcpRangeInput): XmlElement {
  return element('range', { start: range.start, end: range.end }, range.lease ? [leaseElement(range.lease)] : [])
}

/** The `<host .../>` argument for `virsh net-update NET add|modify|delete ip-dhcp-host`. */
export function dhcpHostFragmentXml(host: Partial<DhcpHostInput>): string {
  return renderElement(dhcpHostElement(host)).trimEnd()
}

/** The `<range .../>` argument for `virsh net-update NET add|delete ip-dhcp-range`. */
export function dhcpRangeFragmentXml(range: DhcpRangeInput): string {
  return renderElement(dhcpRangeElement(range)).trimEnd()
}

export function addDhcpHost(doc: XmlDocument, host: DhcpHostInput, options: DhcpEditOptions = {}): XmlDocument {
  refuseDuplicateDuid(doc, host, options.ipIndex)
  return updateDhcp(doc, addCommand(options), 'ip-dhcp-host', dhcpHostElement(host), options)
}

/** Replaces the host that shares the MAC, IP or name with `host` (libvirt's modify rule). */
export function modifyDhcpHost(doc: XmlDocument, host: DhcpHostInput, options: DhcpEditOptions = {}): XmlDocument {
  return updateDhcp(doc, 'modify', 'ip-dhcp-host', dhcpHostElement(host), options)
}

export function deleteDhcpHost(doc: XmlDocument, match: DhcpHostMatch, options: DhcpEditOptions = {}): XmlDocument {
  return updateDhcp(doc, 'delete', 'ip-dhcp-host', dhcpHostElement(match), options)
}

export function addDhcpRange(doc: XmlDocument, range: DhcpRangeInput, options: DhcpEditOptions = {}): XmlDocument {
  return updateDhcp(doc, addCommand(options), 'ip-dhcp-range', dhcpRangeElement(range), options)
}

export function deleteDhcpRange(
  doc: XmlDocument,
  range: Pick<DhcpRangeInput, 'start' | 'end'>,
  options: DhcpEditOptions = {},
): XmlDocument {
  return updateDhcp(doc, 'delete', 'ip-dhcp-range', dhcpRangeElement(range), options)
}

/** One `virsh net-update` of the DHCP sections, on the <ip> the options choose. */
function updateDhcp(
  doc: XmlDocument,
  command: NetworkUpdateCommand,
  section: 'ip-dhcp-host' | 'ip-dhcp-range',
  xml: XmlElement,
  options: DhcpEditOptions,
): XmlDocument {
  return applyNetworkUpdate(doc, { command, section, parentIndex: options.ipIndex, xml }, options.update)
}

function addCommand(options: DhcpEditOptions): NetworkUpdateCommand {
  return options.position === 'first' ? 'add-first' : 'add-last'
}

function leaseElement(lease: DhcpLeaseTime): XmlElement {
  return lease.expiry === 0
    ? element('lease', { expiry: '0' })
    : element('lease', { expiry: String(lease.expiry), unit: lease.unit })
}

/**
 * Stricter than libvirt on purpose: libvirt checks a new DHCPv6 host's name and IP for
 * duplicates but not its DUID (id), and would write two dnsmasq entries for one client.
 */
function refuseDuplicateDuid(doc: XmlDocument, host: DhcpHostInput, ipIndex: number | undefined): void {
  if (host.id === undefined) return
  const family = parseIp(host.ip)?.family
  const ips = ipElements(doc.root).filter((ip) => (ipIndex === undefined ? ip.family === family : ip.index === ipIndex))
  const taken = ips.some((ip) =>
    ip.hosts.some(
      (h) =>
        getAttribute(h, 'id')?.toLowerCase() === host.id?.toLowerCase() &&
        !sameIp(getAttribute(h, 'ip') ?? '', host.ip),
    ),
  )
  if (taken) {
    throw new NetworkUpdateError(
      'operation-invalid',
      `there is an existing dhcp host entry in network '${networkName(doc.root)}' with id '${host.id}'`,
    )
  }
}
