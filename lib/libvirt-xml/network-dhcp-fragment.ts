import 'server-only'
import { formatIp, inSubnet, parseIp, subnetBounds, type IpValue } from '@/lib/addresses/ip-address'
import { isMulticastMac, parseMac } from '@/lib/addresses/mac-address'
import type { IpElementInfo } from '@/lib/libvirt-xml/net-update/network-update-context'
import { NetworkUpdateError } from '@/lib/libvirt-xml/net-update/network-update-types'
import { firstChild, getAttribute } from '@/lib/xml/xml-query'
import { element, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * Reading <host> / <range> / <lease> the way libvirt's virNetworkDHCPHostDefParseXML and
 * virNetworkDHCPRangeDefParseXML do (same checks, same messages), and writing them back the way
 * virNetworkIPDefFormat would (attribute order, canonical IP spelling, unknown attributes dropped).
 */

export type DhcpHostFragment = { mac?: string; id?: string; name?: string; ip?: IpValue; lease?: XmlElement }

/** `partialOkay`: delete only needs one of mac/name/ip to find the entry. */
export function readDhcpHost(
  fragment: XmlElement,
  ip: IpElementInfo,
  net: string,
  partialOkay: boolean,
): DhcpHostFragment {
  const mac = getAttribute(fragment, 'mac')
  if (mac !== undefined) {
    if (ip.family === 'ipv6') {
      throw new NetworkUpdateError(
        'xml-error',
        `Invalid to specify MAC address '${mac}' in network '${net}' IPv6 static host definition`,
      )
    }
    if (!parseMac(mac))
      throw new NetworkUpdateError('xml-error', `Cannot parse MAC address '${mac}' in network '${net}'`)
    if (isMulticastMac(mac))
      throw new NetworkUpdateError(
        'xml-error',
        `expected unicast mac address, found multicast '${mac}' in network '${net}'`,
      )
  }
  const id = getAttribute(fragment, 'id')
  const badIdChar = id === undefined ? undefined : /[^0-9a-fA-F:]/.exec(id)?.[0]
  if (badIdChar !== undefined)
    throw new NetworkUpdateError('xml-error', `Invalid character '${badIdChar}' in id '${id}' of network '${net}'`)
  const name = getAttribute(fragment, 'name')
  if (name !== undefined && !/^[A-Za-z0-9]/.test(name))
    throw new NetworkUpdateError('xml-error', `Cannot use host name '${name}' in network '${net}'`)
  const ipText = getAttribute(fragment, 'ip')
  const address = ipText === undefined ? undefined : parseIp(ipText)
  if (address === null)
    throw new NetworkUpdateError('xml-error', `Invalid IP address in static host definition for network '${net}'`)

  if (partialOkay) {
    if (mac === undefined && name === undefined && address === undefined) {
      // (libvirt 9.0's message ends with a space; kept so messages compare equal)
      throw new NetworkUpdateError(
        'xml-error',
        `At least one of name, mac, or ip attribute must be specified for static host definition in network '${net}' `,
      )
    }
  } else {
    if (ip.family === 'ipv6' && id === undefined && name === undefined) {
      throw new NetworkUpdateError(
        'xml-error',
        `Static host definition in IPv6 network '${net}' must have id or name attribute`,
      )
    }
    if (ip.family === 'ipv4' && mac === undefined && name === undefined) {
      throw new NetworkUpdateError(
        'xml-error',
        `Static host definition in IPv4 network '${net}' must have mac or name attribute`,
      )
    }
    if (address === undefined)
      throw new NetworkUpdateError('xml-error', `Missing IP address in static host definition for network '${net}'`)
  }
  const lease = readLease(fragment)
  return {
    ...(mac !== undefined && { mac }),
    ...(id !== undefined && { id }),
    ...(name !== undefined && { name }),
    ...(address && { ip: address }),
    ...(lease && { lease }),
  }
}

export function canonicalDhcpHostElement(host: DhcpHostFragment): XmlElement {
  return element(
    'host',
    { mac: host.mac, id: host.id, name: host.name, ip: host.ip && formatIp(host.ip) },
    host.lease ? [host.lease] : [],
  )
}

/** The same host as seen in the network, for comparisons. */
export function existingDhcpHost(el: XmlElement): { mac?: string; name?: string; ip: IpValue | null } {
  const mac = getAttribute(el, 'mac')
  const name = getAttribute(el, 'name')
  const ip = getAttribute(el, 'ip')
  return {
    ...(mac !== undefined && { mac }),
    ...(name !== undefined && { name }),
    ip: ip === undefined ? null : parseIp(ip),
  }
}

export type DhcpRangeFragment = { start: IpValue; end: IpValue; lease?: XmlElement }

export function readDhcpRange(fragment: XmlElement, ip: IpElementInfo, net: string): DhcpRangeFragment {
  const startText = getAttribute(fragment, 'start')
  if (startText === undefined)
    throw new NetworkUpdateError('xml-error', `Missing 'start' attribute in dhcp range for network '${net}'`)
  const start = parseIp(startText)
  if (!start) throw new NetworkUpdateError('system-error', `Cannot parse socket address '${startText}'`)
  const endText = getAttribute(fragment, 'end')
  if (endText === undefined)
    throw new NetworkUpdateError('xml-error', `Missing 'end' attribute in dhcp range for network '${net}'`)
  const end = parseIp(endText)
  if (!end) throw new NetworkUpdateError('system-error', `Cannot parse socket address '${endText}'`)
  checkRange(start, end, ip)
  const lease = readLease(fragment)
  return { start, end, ...(lease && { lease }) }
}

export function canonicalDhcpRangeElement(range: DhcpRangeFragment): XmlElement {
  return element('range', { start: formatIp(range.start), end: formatIp(range.end) }, range.lease ? [range.lease] : [])
}

/** virSocketAddrGetRange's checks of a range against its network. */
function checkRange(start: IpValue, end: IpValue, ip: IpElementInfo): void {
  const s = formatIp(start)
  const e = formatIp(end)
  if (start.family !== end.family)
    throw new NetworkUpdateError('internal-error', `mismatch of address family in range ${s} - ${e}`)
  const network = ip.address
  const net = ip.addressText
  if (!network || start.family !== network.family) {
    throw new NetworkUpdateError('internal-error', `mismatch of address family in range ${s} - ${e} for network ${net}`)
  }
  if (!inSubnet(start, network, ip.prefix) || !inSubnet(end, network, ip.prefix)) {
    throw new NetworkUpdateError(
      'internal-error',
      `range ${s} - ${e} is not entirely within network ${net}/${ip.prefix}`,
    )
  }
  if (start.family === 'ipv4') {
    const { first: base, last: broadcast } = subnetBounds(network, ip.prefix)
    if (start.value === base.value)
      throw new NetworkUpdateError(
        'internal-error',
        `start of range ${s} - ${e} in network ${net}/${ip.prefix} is the network address`,
      )
    if (end.value === broadcast.value)
      throw new NetworkUpdateError(
        'internal-error',
        `end of range ${s} - ${e} in network ${net}/${ip.prefix} is the broadcast address`,
      )
    // libvirt's legacy size check: the first two bytes must agree (at most 65536 addresses).
    if (start.value >> 16n !== end.value >> 16n)
      throw new NetworkUpdateError('internal-error', `range ${s} - ${e} is too large (> 65535)`)
    // (libvirt's message really ends with a space)
    if (end.value < start.value) throw new NetworkUpdateError('internal-error', `range ${s} - ${e} is reversed `)
  } else {
    if (start.value >> 16n !== end.value >> 16n)
      throw new NetworkUpdateError('internal-error', `range ${s} - ${e} is too large (> 65535)`)
    if (end.value < start.value)
      throw new NetworkUpdateError('internal-error', `range ${s} - ${e} start larger than end`)
  }
}

/** virNetworkDHCPLeaseTimeDefParseXML; returns the <lease> as libvirt would write it, if any. */
function readLease(parent: XmlElement): XmlElement | undefined {
  const lease = firstChild(parent, 'lease')
  if (!lease) return undefined
  const expiryText = getAttribute(lease, 'expiry')
  if (expiryText === undefined) return undefined
  if (!/^\d+$/.test(expiryText)) {
    throw new NetworkUpdateError(
      'xml-error',
      `Invalid value for attribute 'expiry' in element 'lease': '${expiryText}'. Expected non-negative integer value`,
    )
  }
  const unit = getAttribute(lease, 'unit') ?? 'minutes'
  if (unit !== 'seconds' && unit !== 'minutes' && unit !== 'hours') {
    throw new NetworkUpdateError('xml-error', `Invalid value for attribute 'unit' in element 'lease': '${unit}'.`)
  }
  const expiry = BigInt(expiryText)
  if (expiry > 0n && ((unit === 'seconds' && expiry < 120n) || (unit === 'minutes' && expiry < 2n))) {
    throw new NetworkUpdateError('config-unsupported', 'The minimum lease time should be greater than 2 minutes')
  }
  return expiry === 0n ? element('lease', { expiry: '0' }) : element('lease', { expiry: expiry.toString(), unit })
}
