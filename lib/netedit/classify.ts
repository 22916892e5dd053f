import 'server-only'
import { applyNetworkUpdate } from '@/lib/virt/xml/network-update'
import { NetworkUpdateError, type NetworkUpdateSection } from '@/lib/virt/xml/network-update-types'
import { withoutWhitespaceText } from '@/lib/virt/xml/xml-normalize'
import { renderElement } from '@/lib/virt/xml/xml-render'
import { childElements, firstChild } from '@/lib/virt/xml/xml-query'
import type { XmlDocument, XmlElement } from '@/lib/virt/xml/xml-tree'

/*
 * Decides how an edited network definition reaches a running network. libvirt can change a few sections of a
 * running network in place (`virsh net-update`): DHCP hosts and ranges, DNS hosts/SRV/TXT, port groups and forward
 * interfaces. Everything else needs a redefine and a restart, which unplugs every guest (see restart-plan.ts).
 *
 * The edit is expressed as net-update deletes and adds per section, then replayed on Virtnet's model of net-update;
 * only when the model's result equals the edited document is the edit "live". Anything the model cannot reproduce
 * (an <ip> change, a reordering, a refused update) falls back to a restart: never a silent partial apply.
 */

export type LiveUpdate = {
  command: 'add-last' | 'delete'
  section: NetworkUpdateSection
  parentIndex?: number
  /** The element, as the fragment virsh net-update takes. */
  xml: string
}

export type EditClass =
  | { kind: 'none' }
  | { kind: 'live'; updates: LiveUpdate[] }
  | { kind: 'restart'; reasons: string[] }

type Container = { key: string; section: NetworkUpdateSection; parentIndex?: number; items: XmlElement[] }

/** Where each net-update section keeps its elements in a network document. */
function containers(root: XmlElement): Container[] {
  const out: Container[] = []
  childElements(root, 'ip').forEach((ip, index) => {
    const dhcp = firstChild(ip, 'dhcp')
    out.push({ key: `ip${index}-host`, section: 'ip-dhcp-host', parentIndex: index, items: dhcp ? childElements(dhcp, 'host') : [] })
    out.push({ key: `ip${index}-range`, section: 'ip-dhcp-range', parentIndex: index, items: dhcp ? childElements(dhcp, 'range') : [] })
  })
  const dns = firstChild(root, 'dns')
  out.push({ key: 'dns-host', section: 'dns-host', items: dns ? childElements(dns, 'host') : [] })
  out.push({ key: 'dns-txt', section: 'dns-txt', items: dns ? childElements(dns, 'txt') : [] })
  out.push({ key: 'dns-srv', section: 'dns-srv', items: dns ? childElements(dns, 'srv') : [] })
  out.push({ key: 'portgroup', section: 'portgroup', items: childElements(root, 'portgroup') })
  const forward = firstChild(root, 'forward')
  out.push({ key: 'forward-interface', section: 'forward-interface', items: forward ? childElements(forward, 'interface') : [] })
  return out
}

/** Attribute order and indentation carry no meaning to libvirt; compare without them. */
function canonical(el: XmlElement): XmlElement {
  const bare = withoutWhitespaceText(el)
  const sortTree = (node: XmlElement): XmlElement => ({
    ...node,
    attributes: [...node.attributes].sort((a, b) => a.name.localeCompare(b.name)),
    children: node.children.map((child) => (child.type === 'element' ? sortTree(child) : child)),
  })
  return sortTree(bare)
}

const key = (el: XmlElement) => renderElement(canonical(el)).trim()
const fragment = (el: XmlElement) => renderElement(withoutWhitespaceText(el)).trim()

function sectionUpdates(before: XmlElement, after: XmlElement): LiveUpdate[] {
  const deletes: LiveUpdate[] = []
  const adds: LiveUpdate[] = []
  const afterByKey = new Map(containers(after).map((c) => [c.key, c]))
  for (const old of containers(before)) {
    const edited = afterByKey.get(old.key)
    if (!edited) continue // the <ip> itself went away: not a net-update change; the comparison below catches it
    const remaining = edited.items.map(key)
    for (const item of old.items) {
      const at = remaining.indexOf(key(item))
      if (at >= 0) remaining.splice(at, 1)
      else deletes.push({ command: 'delete', section: old.section, parentIndex: old.parentIndex, xml: fragment(item) })
    }
    const existing = old.items.map(key)
    for (const item of edited.items) {
      const at = existing.indexOf(key(item))
      if (at >= 0) existing.splice(at, 1)
      else adds.push({ command: 'add-last', section: edited.section, parentIndex: edited.parentIndex, xml: fragment(item) })
    }
  }
  // Deletes first: a changed entry is "delete the old, add the new", and libvirt refuses a second host with one MAC.
  return [...deletes, ...adds]
}

/** Top-level elements that differ, in words, for the operator ("<ip> changed"). */
function changedElements(before: XmlElement, after: XmlElement): string[] {
  const names = [...new Set([...childElements(before), ...childElements(after)].map((el) => el.name))]
  const render = (root: XmlElement, name: string) => childElements(root, name).map(key).join('\n')
  return names.filter((name) => render(before, name) !== render(after, name)).map((name) => `<${name}> changed`)
}

export function classifyNetworkEdit(before: XmlDocument, after: XmlDocument): EditClass {
  if (key(before.root) === key(after.root)) return { kind: 'none' }
  const updates = sectionUpdates(before.root, after.root)
  const reasons = changedElements(canonical(before.root), canonical(after.root))
  if (updates.length === 0) return { kind: 'restart', reasons }
  let modelled = before
  try {
    for (const update of updates) modelled = applyNetworkUpdate(modelled, { command: update.command, section: update.section, parentIndex: update.parentIndex, xml: update.xml })
  } catch (error) {
    if (error instanceof NetworkUpdateError) return { kind: 'restart', reasons: [...reasons, `net-update would refuse it (${error.message})`] }
    throw error
  }
  if (key(modelled.root) === key(after.root)) return { kind: 'live', updates }
  const leftover = changedElements(canonical(modelled.root), canonical(after.root))
  return { kind: 'restart', reasons: leftover.length ? leftover : ['the order of entries changed'] }
}
