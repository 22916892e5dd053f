import 'server-only'
import { formatIp, sameIp as sameIpText, type IpValue } from '@/lib/addresses/ip-address'
import { sameMac } from '@/lib/addresses/mac-address'
import {
  canonicalDhcpHostElement,
  canonicalDhcpRangeElement,
  existingDhcpHost,
  readDhcpHost,
  readDhcpRange,
  type DhcpHostFragment,
} from '@/lib/libvirt-xml/network-dhcp-fragment'
import {
  checkSingleDhcpPerFamily,
  CHILD_ORDER,
  dropEmptyDhcp,
  ensureChild,
  existingEntryError,
  expectFragment,
  insertAdded,
  isAdd,
  selectIp,
  type IpElementInfo,
  type UpdateContext,
} from '@/lib/libvirt-xml/net-update/network-update-context'
import { NetworkUpdateError } from '@/lib/libvirt-xml/net-update/network-update-types'
import { getAttribute, removeChild, replaceChild } from '@/lib/xml/xml-query'
import type { XmlElement } from '@/lib/xml/xml-tree'

/* ip-dhcp-host and ip-dhcp-range, after libvirt's virNetworkDefUpdateIPDHCPHost / ...Range. */

export function updateDhcpHost(ctx: UpdateContext): void {
  expectFragment(ctx, 'host')
  const ip = selectIp(ctx)
  const partialOkay = ctx.command === 'delete'
  const host = readDhcpHost(ctx.fragment, ip, ctx.net, partialOkay)
  if (!partialOkay && host.ip?.family !== ip.family) {
    throw new NetworkUpdateError(
      'operation-invalid',
      "the address family of a host entry IP must match the address family of the dhcp element's parent",
    )
  }
  const hosts = ip.hosts.map((el) => ({ el, ...existingDhcpHost(el) }))
  const matchesIp = (h: { ip: IpValue | null }) =>
    host.ip !== undefined && h.ip !== null && h.ip.value === host.ip.value && h.ip.family === host.ip.family

  if (ctx.command === 'modify') {
    // Any one matching field (mac, ip or name) identifies the entry to replace.
    const found = hosts.find(
      (h) =>
        (host.mac && h.mac && sameMac(host.mac, h.mac)) ||
        matchesIp(h) ||
        (host.name !== undefined && host.name === h.name),
    )
    if (!found) {
      throw new NetworkUpdateError(
        'operation-invalid',
        `couldn't locate an existing dhcp host entry with "mac='${host.mac ?? 'unknown'}'" "name='${host.name ?? '(null)'}'" "ip='${ipText(host)}'" in network '${ctx.net}'`,
      )
    }
    replaceChild(ip.dhcp as XmlElement, found.el, canonicalDhcpHostElement(host))
    return
  }

  if (isAdd(ctx.command)) {
    checkSingleDhcpPerFamily(ctx, ip)
    const clash = hosts.find(
      (h) =>
        (host.mac && h.mac && sameMac(host.mac, h.mac)) ||
        (host.name !== undefined && host.name === h.name) ||
        matchesIp(h),
    )
    if (clash)
      throw existingEntryError(
        ctx,
        'dhcp host',
        `<host mac='${host.mac ?? 'unknown'}' name='${host.name ?? '(null)'}' ip='${ipText(host)}'/>`,
      )
    addToDhcp(ctx, ip, canonicalDhcpHostElement(host))
    return
  }

  // delete: every field given must match (a field missing on either side matches anything).
  const found = hosts.find(
    (h) =>
      (!host.mac || !h.mac || sameMac(host.mac, h.mac)) &&
      (host.name === undefined || host.name === h.name) &&
      (host.ip === undefined || matchesIp(h)),
  )
  if (!found)
    throw new NetworkUpdateError(
      'operation-invalid',
      `couldn't locate a matching dhcp host entry in network '${ctx.net}'`,
    )
  removeChild(ip.dhcp as XmlElement, found.el)
  dropEmptyDhcp(ip.el)
}

export function updateDhcpRange(ctx: UpdateContext): void {
  expectFragment(ctx, 'range')
  const ip = selectIp(ctx)
  if (ctx.command === 'modify') {
    throw new NetworkUpdateError('operation-unsupported', 'dhcp ranges cannot be modified, only added or deleted')
  }
  const range = readDhcpRange(ctx.fragment, ip, ctx.net)
  const found = ip.ranges.find((el) => {
    const start = getAttribute(el, 'start')
    const end = getAttribute(el, 'end')
    return (
      start !== undefined &&
      end !== undefined &&
      sameIpText(start, formatIp(range.start)) &&
      sameIpText(end, formatIp(range.end))
    )
  })

  if (isAdd(ctx.command)) {
    checkSingleDhcpPerFamily(ctx, ip)
    if (found)
      throw existingEntryError(
        ctx,
        'dhcp range',
        `<range start='${formatIp(range.start)}' end='${formatIp(range.end)}'/>`,
      )
    addToDhcp(ctx, ip, canonicalDhcpRangeElement(range))
    return
  }

  if (!found)
    throw new NetworkUpdateError(
      'operation-invalid',
      `couldn't locate a matching dhcp range entry in network '${ctx.net}'`,
    )
  removeChild(ip.dhcp as XmlElement, found)
  dropEmptyDhcp(ip.el)
}

/** A new host or range goes into the ip's <dhcp> (created where libvirt puts it), first or last as the command says. */
function addToDhcp(ctx: UpdateContext, ip: IpElementInfo, child: XmlElement): void {
  insertAdded(ctx, ensureChild(ip.el, 'dhcp', CHILD_ORDER.ip), child, CHILD_ORDER.dhcp)
}

function ipText(host: DhcpHostFragment): string {
  return host.ip ? formatIp(host.ip) : 'unknown'
}
