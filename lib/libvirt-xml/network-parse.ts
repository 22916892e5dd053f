import 'server-only'
import { ipFamilyOf } from '@/lib/addresses/ip-address'
import { ParseError } from '@/lib/core/errors'
import { ipElementFamily, ipElementPrefix } from '@/lib/libvirt-xml/network-ip'
import type {
  DhcpHost,
  DhcpLeaseTime,
  DhcpRange,
  NetworkDefinition,
  NetworkDns,
  NetworkForward,
  NetworkIp,
  NetworkRoute,
  PciAddress,
} from '@/lib/libvirt-xml/network-types'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, firstChild, getAttribute, textContent } from '@/lib/xml/xml-query'
import type { XmlDocument, XmlElement } from '@/lib/xml/xml-tree'

const SOURCE = 'network XML'

export class NetworkXmlError extends ParseError {
  constructor(message: string) {
    super(SOURCE, message)
    this.name = 'NetworkXmlError'
  }
}

/** Parses `virsh net-dumpxml` output (or any network XML) into the typed view plus its tree. */
export function parseNetworkXml(xml: string): NetworkDefinition {
  return readNetworkDocument(parseXml(xml, SOURCE))
}

/** The typed view of an already parsed (possibly edited) network document. */
export function readNetworkDocument(doc: XmlDocument): NetworkDefinition {
  const root = doc.root
  if (root.name !== 'network') throw new NetworkXmlError(`root element is <${root.name}>, expected <network>`)
  const name = optionalText(root, 'name')
  if (!name) throw new NetworkXmlError('<network> has no <name>')
  const forwardEl = firstChild(root, 'forward')
  const bridgeEl = firstChild(root, 'bridge')
  const domainEl = firstChild(root, 'domain')
  const dnsEl = firstChild(root, 'dns')
  const mtuEl = firstChild(root, 'mtu')
  const portEl = firstChild(root, 'port')
  const connections = getAttribute(root, 'connections')
  return {
    name,
    ...defined({
      uuid: optionalText(root, 'uuid'),
      title: optionalText(root, 'title'),
      description: optionalText(root, 'description'),
      connections: connections === undefined ? undefined : integer(connections, 'connections'),
      ipv6: yesNo(root, 'ipv6'),
      trustGuestRxFilters: yesNo(root, 'trustGuestRxFilters'),
      forward: forwardEl && readForward(forwardEl),
      bridge: bridgeEl && readBridge(bridgeEl),
      mac: attributeOf(root, 'mac', 'address'),
      domain: domainEl && readDomain(domainEl),
      mtu: mtuEl && optionalInteger(mtuEl, 'size'),
      dns: dnsEl && readDns(dnsEl),
      isolatedPorts: portEl && yesNo(portEl, 'isolated'),
      virtualportType: attributeOf(root, 'virtualport', 'type'),
    }),
    ips: childElements(root, 'ip').map(readIp),
    routes: childElements(root, 'route').map(readRoute),
    portgroups: childElements(root, 'portgroup').map((pg) => ({
      name: requiredAttribute(pg, 'name'),
      isDefault: yesNo(pg, 'default') ?? false,
      ...defined({ trustGuestRxFilters: yesNo(pg, 'trustGuestRxFilters') }),
    })),
    doc,
  }
}

function readForward(el: XmlElement): NetworkForward {
  const natEl = firstChild(el, 'nat')
  const natAddress = natEl && firstChild(natEl, 'address')
  const natPort = natEl && firstChild(natEl, 'port')
  return {
    mode: getAttribute(el, 'mode') ?? 'nat',
    ...defined({
      dev: getAttribute(el, 'dev'),
      managed: yesNo(el, 'managed'),
      driver: attributeOf(el, 'driver', 'name'),
      nat: natEl && {
        ...defined({
          addressStart: natAddress && getAttribute(natAddress, 'start'),
          addressEnd: natAddress && getAttribute(natAddress, 'end'),
          portStart: natPort && optionalInteger(natPort, 'start'),
          portEnd: natPort && optionalInteger(natPort, 'end'),
          ipv6: yesNo(natEl, 'ipv6'),
        }),
      },
    }),
    pf: childElements(el, 'pf').map((pf) => requiredAttribute(pf, 'dev')),
    interfaces: childElements(el, 'interface').map((i) => requiredAttribute(i, 'dev')),
    addresses: childElements(el, 'address')
      .filter((a) => (getAttribute(a, 'type') ?? 'pci') === 'pci')
      .map(readPciAddress),
  }
}

function readPciAddress(el: XmlElement): PciAddress {
  return {
    domain: getAttribute(el, 'domain') ?? '0x0000',
    bus: requiredAttribute(el, 'bus'),
    slot: requiredAttribute(el, 'slot'),
    function: getAttribute(el, 'function') ?? '0x0',
  }
}

function readBridge(el: XmlElement): NonNullable<NetworkDefinition['bridge']> {
  const stp = getAttribute(el, 'stp')
  if (stp !== undefined && stp !== 'on' && stp !== 'off')
    throw new NetworkXmlError(`<bridge stp='${stp}'> should be on or off`)
  return defined({
    name: getAttribute(el, 'name'),
    stp: stp === undefined ? undefined : stp === 'on',
    delay: optionalInteger(el, 'delay'),
    macTableManager: getAttribute(el, 'macTableManager'),
    zone: getAttribute(el, 'zone'),
  })
}

function readDomain(el: XmlElement): NonNullable<NetworkDefinition['domain']> {
  return { name: requiredAttribute(el, 'name'), ...defined({ localOnly: yesNo(el, 'localOnly') }) }
}

function readDns(el: XmlElement): NetworkDns {
  return {
    ...defined({ enabled: yesNo(el, 'enable'), forwardPlainNames: yesNo(el, 'forwardPlainNames') }),
    forwarders: childElements(el, 'forwarder').map((f) =>
      defined({ addr: getAttribute(f, 'addr'), domain: getAttribute(f, 'domain') }),
    ),
    txt: childElements(el, 'txt').map((t) => ({
      name: requiredAttribute(t, 'name'),
      ...defined({ value: getAttribute(t, 'value') }),
    })),
    hosts: childElements(el, 'host').map((h) => ({
      ...defined({ ip: getAttribute(h, 'ip') }),
      hostnames: childElements(h, 'hostname').map((n) => textContent(n)),
    })),
    srv: childElements(el, 'srv').map((s) =>
      defined({
        service: getAttribute(s, 'service'),
        protocol: getAttribute(s, 'protocol'),
        domain: getAttribute(s, 'domain'),
        target: getAttribute(s, 'target'),
        port: optionalInteger(s, 'port'),
        priority: optionalInteger(s, 'priority'),
        weight: optionalInteger(s, 'weight'),
      }),
    ),
  }
}

function readIp(el: XmlElement, index: number): NetworkIp {
  const address = requiredAttribute(el, 'address')
  const family = ipElementFamily(el)
  if (ipFamilyOf(address) !== family)
    throw new NetworkXmlError(`<ip address='${address}'> is not a valid ${family} address`)
  const netmask = getAttribute(el, 'netmask')
  const dhcpEl = firstChild(el, 'dhcp')
  const tftpEl = firstChild(el, 'tftp')
  const bootpEl = dhcpEl && firstChild(dhcpEl, 'bootp')
  return {
    index,
    family,
    address,
    prefix: ipElementPrefix(el),
    ...defined({
      netmask,
      localPtr: yesNo(el, 'localPtr'),
      dhcp: dhcpEl && {
        ranges: childElements(dhcpEl, 'range').map(readRange),
        hosts: childElements(dhcpEl, 'host').map(readHost),
      },
      tftp: tftpEl && { root: requiredAttribute(tftpEl, 'root') },
      bootp: bootpEl && {
        file: requiredAttribute(bootpEl, 'file'),
        ...defined({ server: getAttribute(bootpEl, 'server') }),
      },
    }),
  }
}

function readRange(el: XmlElement): DhcpRange {
  return {
    start: requiredAttribute(el, 'start'),
    end: requiredAttribute(el, 'end'),
    ...defined({ lease: readLease(el) }),
  }
}

function readHost(el: XmlElement): DhcpHost {
  return defined({
    mac: getAttribute(el, 'mac'),
    id: getAttribute(el, 'id'),
    name: getAttribute(el, 'name'),
    ip: getAttribute(el, 'ip'),
    lease: readLease(el),
  })
}

function readLease(parent: XmlElement): DhcpLeaseTime | undefined {
  const lease = firstChild(parent, 'lease')
  if (!lease) return undefined
  const unit = getAttribute(lease, 'unit') ?? 'minutes'
  if (unit !== 'seconds' && unit !== 'minutes' && unit !== 'hours')
    throw new NetworkXmlError(`<lease unit='${unit}'> should be seconds, minutes or hours`)
  return { expiry: integer(requiredAttribute(lease, 'expiry'), 'lease expiry'), unit }
}

function readRoute(el: XmlElement): NetworkRoute {
  return {
    family: ipElementFamily(el),
    address: requiredAttribute(el, 'address'),
    prefix: ipElementPrefix(el),
    gateway: requiredAttribute(el, 'gateway'),
    ...defined({ metric: optionalInteger(el, 'metric') }),
  }
}

// ---- small readers -------------------------------------------------------------------------

function optionalText(parent: XmlElement, name: string): string | undefined {
  const el = firstChild(parent, name)
  return el ? textContent(el).trim() : undefined
}

function attributeOf(parent: XmlElement, child: string, attribute: string): string | undefined {
  const el = firstChild(parent, child)
  return el && getAttribute(el, attribute)
}

function requiredAttribute(el: XmlElement, name: string): string {
  const value = getAttribute(el, name)
  if (value === undefined) throw new NetworkXmlError(`<${el.name}> lacks the ${name} attribute`)
  return value
}

function yesNo(el: XmlElement, name: string): boolean | undefined {
  const value = getAttribute(el, name)
  if (value === undefined) return undefined
  if (value === 'yes') return true
  if (value === 'no') return false
  throw new NetworkXmlError(`<${el.name} ${name}='${value}'> should be yes or no`)
}

function optionalInteger(el: XmlElement, name: string): number | undefined {
  const value = getAttribute(el, name)
  return value === undefined ? undefined : integer(value, `<${el.name} ${name}>`)
}

function integer(value: string, what: string): number {
  if (!/^\d+$/.test(value.trim())) throw new NetworkXmlError(`${what} should be a whole number, got '${value}'`)
  return Number(value.trim())
}

/** Drops undefined members so optional properties are absent rather than present-but-undefined. */
function defined<T extends Record<string, unknown>>(obj: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>
  }
}
