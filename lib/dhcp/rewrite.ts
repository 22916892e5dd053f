import 'server-only'
import { parseIp } from '@/lib/addresses/ip-address'
import { dhcpHostElement } from '@/lib/libvirt-xml/network-dhcp-edit'
import {
  CHILD_ORDER,
  dropEmptyDhcp,
  ensureChild,
  insertOrdered,
  ipElements,
} from '@/lib/libvirt-xml/net-update/network-update-context'
import { getAttribute } from '@/lib/xml/xml-query'
import { cloneDocument, type XmlDocument, type XmlElement } from '@/lib/xml/xml-tree'
import { entryKey, normalizeEntry, type DhcpEntry } from '@/lib/dhcp/entries'
import type { HostOp } from '@/lib/dhcp/diff'

/*
 * The bulk path's edit: all changes to a definition's <host> elements in one pass (the per-change model of
 * net-update clones the document per change, quadratic for hundreds). Untouched hosts keep their element as it
 * was (with any <lease>); changed ones are replaced in place, new ones go last — the order net-update would give.
 */
export function rewriteHosts(doc: XmlDocument, ops: HostOp[]): XmlDocument {
  const result = cloneDocument(doc)
  const deleted = new Set(ops.flatMap((op) => (op.kind === 'delete' ? [entryKey(op.old)] : [])))
  const modified = new Map(ops.flatMap((op) => (op.kind === 'modify' ? [[entryKey(op.old), op.entry] as const] : [])))
  const added = ops.flatMap((op) => (op.kind === 'add' ? [op.entry] : []))
  const ips = ipElements(result.root)
  for (const ip of ips) {
    if (!ip.dhcp) continue
    ip.dhcp.children = ip.dhcp.children.flatMap((child) => {
      if (child.type !== 'element' || child.name !== 'host') return [child]
      const key = keyOfElement(child, ip.family)
      if (key === null) return [child]
      if (deleted.has(key)) return []
      const replacement = modified.get(key)
      return [replacement ? hostElement(replacement) : child]
    })
    dropEmptyDhcp(ip.el)
  }
  // The <ip> of each family that serves DHCP, else the first of that family (as dhcpIpOf chooses), found once.
  const afterIps = ipElements(result.root)
  for (const family of ['ipv4', 'ipv6'] as const) {
    const entries = added.filter((entry) => entry.family === family)
    if (!entries.length) continue
    const ofFamily = afterIps.filter((ip) => ip.family === family)
    const target = ofFamily.find((ip) => ip.dhcp) ?? ofFamily[0]
    if (!target) throw new Error(`no ${family} <ip> for ${entries[0]!.ip}`)
    const dhcp = ensureChild(target.el, 'dhcp', CHILD_ORDER.ip)
    // The first goes where net-update's add-last puts it; each next one right after the one before, as add-last
    // would put it too. One insertion per family: one per entry scans the whole <dhcp> each time (quadratic).
    const [first, ...rest] = entries.map(hostElement)
    insertOrdered(dhcp, first!, CHILD_ORDER.dhcp, 'last')
    dhcp.children.splice(dhcp.children.indexOf(first!) + 1, 0, ...rest)
  }
  return result
}

function hostElement(entry: DhcpEntry): XmlElement {
  return dhcpHostElement({ mac: entry.mac, id: entry.id, name: entry.name, ip: entry.ip })
}

function keyOfElement(el: XmlElement, family: 'ipv4' | 'ipv6'): string | null {
  const ip = getAttribute(el, 'ip')
  if (!ip || !parseIp(ip)) return null
  const mac = getAttribute(el, 'mac')
  const id = getAttribute(el, 'id')
  const name = getAttribute(el, 'name')
  return entryKey(normalizeEntry({ family, ip, ...(mac && { mac }), ...(id && { id }), ...(name && { name }) }))
}
