import 'server-only'
import { parseIp, type IpFamily, type IpValue } from '@/lib/addresses/ip-address'
import { ipElementFamily, ipElementPrefix } from '@/lib/libvirt-xml/network-ip'
import { NetworkUpdateError, type NetworkUpdateOptions } from '@/lib/libvirt-xml/net-update/network-update-types'
import { childElements, firstChild, getAttribute, insertChild, textContent } from '@/lib/xml/xml-query'
import type { XmlElement } from '@/lib/xml/xml-tree'

/* Shared plumbing for the net-update section handlers. */

export type UpdateCommand = 'add-first' | 'add-last' | 'modify' | 'delete'

export type UpdateContext = {
  root: XmlElement
  /** Network name, for messages. */
  net: string
  command: UpdateCommand
  /** -1 = let libvirt choose (virsh's default). */
  parentIndex: number
  fragment: XmlElement
  options: NetworkUpdateOptions
}

export function isAdd(command: UpdateCommand): boolean {
  return command === 'add-first' || command === 'add-last'
}

export function networkName(root: XmlElement): string {
  const name = firstChild(root, 'name')
  return name ? textContent(name).trim() : ''
}

/** virNetworkDefUpdateCheckElementName */
export function expectFragment(ctx: UpdateContext, name: string): void {
  if (ctx.fragment.name !== name) {
    throw new NetworkUpdateError(
      'xml-error',
      `unexpected element <${ctx.fragment.name}>, expecting <${name}>, while updating network '${ctx.net}'`,
    )
  }
}

// ---- <ip> elements ---------------------------------------------------------------------------

export type IpElementInfo = {
  el: XmlElement
  index: number
  family: IpFamily
  /** null only for an address libvirt itself would have rejected. */
  address: IpValue | null
  addressText: string
  prefix: number
  dhcp: XmlElement | undefined
  ranges: XmlElement[]
  hosts: XmlElement[]
}

export function ipElements(root: XmlElement): IpElementInfo[] {
  return childElements(root, 'ip').map((el, index) => {
    const dhcp = firstChild(el, 'dhcp')
    const addressText = getAttribute(el, 'address') ?? ''
    return {
      el,
      index,
      family: ipElementFamily(el),
      address: parseIp(addressText),
      addressText,
      prefix: ipElementPrefix(el),
      dhcp,
      ranges: dhcp ? childElements(dhcp, 'range') : [],
      hosts: dhcp ? childElements(dhcp, 'host') : [],
    }
  })
}

/**
 * virNetworkIPDefByIndex: an explicit parent index counts every <ip>; otherwise the <ip> that
 * already has DHCP ranges or hosts, else the first IPv4 one, else the first IPv6 one.
 * (libvirt says "dhcp host entry" in these messages for ranges too.)
 */
export function selectIp(ctx: UpdateContext): IpElementInfo {
  const ips = ipElements(ctx.root)
  if (ctx.parentIndex >= 0) {
    const ip = ips[ctx.parentIndex]
    if (!ip) {
      throw new NetworkUpdateError(
        'operation-invalid',
        `couldn't update dhcp host entry - no <ip> element found at index ${ctx.parentIndex} in network '${ctx.net}'`,
      )
    }
    return ip
  }
  const chosen =
    ips.find((ip) => ip.ranges.length > 0 || ip.hosts.length > 0) ??
    ips.find((ip) => ip.family === 'ipv4') ??
    ips.find((ip) => ip.family === 'ipv6')
  if (!chosen)
    throw new NetworkUpdateError(
      'operation-invalid',
      `couldn't update dhcp host entry - no <ip> element found in network '${ctx.net}'`,
    )
  return chosen
}

/** virNetworkDefUpdateCheckMultiDHCP: only one <ip> per family may serve DHCP. */
export function checkSingleDhcpPerFamily(ctx: UpdateContext, target: IpElementInfo): void {
  const clash = ipElements(ctx.root).find(
    (ip) => ip.index !== target.index && ip.family === target.family && (ip.ranges.length > 0 || ip.hosts.length > 0),
  )
  if (clash) {
    throw new NetworkUpdateError(
      'operation-invalid',
      `dhcp is supported only for a single ${target.family === 'ipv4' ? 'IPv4' : 'IPv6'} address on each network`,
    )
  }
}

// ---- keeping libvirt's element order ---------------------------------------------------------

/** Child order of libvirt's formatters (virNetworkDefFormatBuf and friends). */
export const CHILD_ORDER = {
  network: [
    'name',
    'uuid',
    'title',
    'description',
    'metadata',
    'forward',
    'bridge',
    'mtu',
    'mac',
    'domain',
    'dns',
    'vlan',
    'bandwidth',
    'port',
    'ip',
    'route',
    'virtualport',
    'portgroup',
  ],
  ip: ['tftp', 'dhcp'],
  dhcp: ['range', 'host', 'bootp'],
  dns: ['forwarder', 'txt', 'srv', 'host'],
  forward: ['driver', 'nat', 'pf', 'interface', 'address'],
} as const

/**
 * Inserts `child` first or last among its same-named siblings; with none, at the place libvirt's
 * formatter would put it (before the first sibling that comes later in `order`). Names not in
 * `order` (e.g. namespaced extensions) count as coming after everything listed.
 */
export function insertOrdered(
  parent: XmlElement,
  child: XmlElement,
  order: readonly string[],
  placement: 'first' | 'last',
): void {
  const rank = (name: string) => {
    const i = order.indexOf(name)
    return i < 0 ? order.length : i
  }
  const same = parent.children.flatMap((c, i) => (c.type === 'element' && c.name === child.name ? [i] : []))
  if (same.length > 0) {
    insertChild(parent, placement === 'first' ? (same[0] as number) : (same[same.length - 1] as number) + 1, child)
    return
  }
  const later = parent.children.findIndex((c) => c.type === 'element' && rank(c.name) > rank(child.name))
  insertChild(parent, later < 0 ? parent.children.length : later, child)
}

/** libvirt's refusal to add an entry the network already has; `matches` is the entry as libvirt prints it. */
export function existingEntryError(ctx: UpdateContext, entry: string, matches: string): NetworkUpdateError {
  return new NetworkUpdateError(
    'operation-invalid',
    `there is an existing ${entry} entry in network '${ctx.net}' that matches "${matches}"`,
  )
}

/** Inserts the child an add-first or add-last command adds: first or last among its same-named siblings. */
export function insertAdded(ctx: UpdateContext, parent: XmlElement, child: XmlElement, order: readonly string[]): void {
  insertOrdered(parent, child, order, ctx.command === 'add-first' ? 'first' : 'last')
}

/** The child element `name` of `parent`, created empty in libvirt's position if missing. */
export function ensureChild(parent: XmlElement, name: string, order: readonly string[]): XmlElement {
  const existing = firstChild(parent, name)
  if (existing) return existing
  const created: XmlElement = { type: 'element', name, attributes: [], children: [] }
  insertOrdered(parent, created, order, 'last')
  return created
}

/** libvirt omits <dhcp> once it has no range and no host (dropping a lone <bootp> with it). */
export function dropEmptyDhcp(ip: XmlElement): void {
  const dhcp = firstChild(ip, 'dhcp')
  if (dhcp && childElements(dhcp, 'range').length === 0 && childElements(dhcp, 'host').length === 0) {
    ip.children = ip.children.filter((c) => c !== dhcp)
  }
}

/** libvirt omits <dns> when it has neither attributes nor records. */
export function dropEmptyDns(root: XmlElement): void {
  const dns = firstChild(root, 'dns')
  if (dns && dns.attributes.length === 0 && childElements(dns).length === 0)
    root.children = root.children.filter((c) => c !== dns)
}
