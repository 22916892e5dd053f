import 'server-only'
import { applyNetworkUpdate } from '@/lib/libvirt-xml/net-update/network-update'
import { NetworkUpdateError, type NetworkUpdateSection } from '@/lib/libvirt-xml/net-update/network-update-types'
import { withoutWhitespaceText } from '@/lib/xml/xml-normalize'
import { renderElement } from '@/lib/xml/xml-render'
import { childElements, firstChild, getAttribute } from '@/lib/xml/xml-query'
import type { XmlDocument, XmlElement } from '@/lib/xml/xml-tree'

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
  command: 'add-first' | 'add-last' | 'delete' | 'modify'
  section: NetworkUpdateSection
  parentIndex?: number
  /** The element, as the fragment virsh net-update takes. */
  xml: string
  /** For modify: the entry it replaces (what the undo puts back). */
  previous?: string
}

export type EditClass =
  { kind: 'none' } | { kind: 'live'; updates: LiveUpdate[] } | { kind: 'restart'; reasons: string[] }

type Container = { key: string; section: NetworkUpdateSection; parentIndex?: number; items: XmlElement[] }

/** Where each net-update section keeps its elements in a network document. */
function containers(root: XmlElement): Container[] {
  const out: Container[] = []
  childElements(root, 'ip').forEach((ip, index) => {
    const dhcp = firstChild(ip, 'dhcp')
    out.push({
      key: `ip${index}-host`,
      section: 'ip-dhcp-host',
      parentIndex: index,
      items: dhcp ? childElements(dhcp, 'host') : [],
    })
    out.push({
      key: `ip${index}-range`,
      section: 'ip-dhcp-range',
      parentIndex: index,
      items: dhcp ? childElements(dhcp, 'range') : [],
    })
  })
  const dns = firstChild(root, 'dns')
  out.push({ key: 'dns-host', section: 'dns-host', items: dns ? childElements(dns, 'host') : [] })
  out.push({ key: 'dns-txt', section: 'dns-txt', items: dns ? childElements(dns, 'txt') : [] })
  out.push({ key: 'dns-srv', section: 'dns-srv', items: dns ? childElements(dns, 'srv') : [] })
  out.push({ key: 'portgroup', section: 'portgroup', items: childElements(root, 'portgroup') })
  const forward = firstChild(root, 'forward')
  out.push({
    key: 'forward-interface',
    section: 'forward-interface',
    items: forward ? childElements(forward, 'interface') : [],
  })
  return out
}

/**
 * Attribute order, indentation, comments and processing instructions carry no meaning to libvirt (it drops the last two
 * on define); compare without them.
 */
function canonical(el: XmlElement): XmlElement {
  const bare = withoutWhitespaceText(el)
  const sortTree = (node: XmlElement): XmlElement => ({
    ...node,
    attributes: [...node.attributes].sort((a, b) => a.name.localeCompare(b.name)),
    children: node.children
      .filter((child) => child.type !== 'comment' && child.type !== 'pi')
      .map((child) => (child.type === 'element' ? sortTree(child) : child)),
  })
  return sortTree(bare)
}

const key = (el: XmlElement) => renderElement(canonical(el)).trim()
const fragment = (el: XmlElement) => renderElement(withoutWhitespaceText(el)).trim()

// Sections where libvirt's modify finds the entry to replace by an identity attribute, keeping its position.
const IDENTITY: Partial<Record<NetworkUpdateSection, (el: XmlElement) => string | undefined>> = {
  'ip-dhcp-host': (el) => getAttribute(el, 'mac') ?? getAttribute(el, 'name'),
  portgroup: (el) => getAttribute(el, 'name'),
}

function containerUpdates(old: Container, edited: Container): LiveUpdate[] {
  const base = { section: old.section, parentIndex: old.parentIndex }
  const editedKeys = edited.items.map(key)
  const kept = new Set<number>() // indexes into edited.items that match an old entry as they are
  const removed: XmlElement[] = []
  for (const item of old.items) {
    const at = editedKeys.findIndex((k, i) => !kept.has(i) && k === key(item))
    if (at >= 0) kept.add(at)
    else removed.push(item)
  }
  const added = edited.items.map((item, index) => ({ item, index })).filter(({ index }) => !kept.has(index))
  const identity = IDENTITY[old.section]
  const modifies: LiveUpdate[] = []
  const deletes: LiveUpdate[] = []
  for (const item of removed) {
    const id = identity?.(item)
    const match = id === undefined ? -1 : added.findIndex((a) => identity?.(a.item) === id)
    if (match >= 0) {
      const [{ item: replacement, index }] = added.splice(match, 1) as [(typeof added)[number]]
      kept.add(index)
      modifies.push({ command: 'modify', ...base, xml: fragment(replacement), previous: fragment(item) })
    } else {
      deletes.push({ command: 'delete', ...base, xml: fragment(item) })
    }
  }
  // New entries before every entry that stays go first (in reverse, so they end up in order); the rest go last.
  const firstKept = Math.min(...kept, Infinity)
  const first = added.filter((a) => a.index < firstKept).reverse()
  const last = added.filter((a) => a.index > firstKept)
  return [
    ...deletes,
    ...modifies,
    ...first.map((a) => ({ command: 'add-first' as const, ...base, xml: fragment(a.item) })),
    ...last.map((a) => ({ command: 'add-last' as const, ...base, xml: fragment(a.item) })),
  ]
}

function sectionUpdates(before: XmlElement, after: XmlElement): LiveUpdate[] {
  const afterByKey = new Map(containers(after).map((c) => [c.key, c]))
  const updates = containers(before).flatMap((old) => {
    const edited = afterByKey.get(old.key)
    // The <ip> itself went away: not a net-update change; the comparison in classifyNetworkEdit catches it.
    return edited ? containerUpdates(old, edited) : []
  })
  // Deletes first everywhere: libvirt refuses an added entry that clashes with one about to go.
  return [...updates.filter((u) => u.command === 'delete'), ...updates.filter((u) => u.command !== 'delete')]
}

/** Top-level elements that differ, in words, for the operator ("<ip> changed"); also the root's own attributes. */
function changedElements(before: XmlElement, after: XmlElement): string[] {
  const names = [...new Set([...childElements(before), ...childElements(after)].map((el) => el.name))]
  const render = (root: XmlElement, name: string) => childElements(root, name).map(key).join('\n')
  const ownAttributes = (root: XmlElement) => renderElement({ ...root, children: [] })
  return [
    ...(ownAttributes(before) === ownAttributes(after) ? [] : [`the attributes of <${after.name}> changed`]),
    ...names.filter((name) => render(before, name) !== render(after, name)).map((name) => `<${name}> changed`),
  ]
}

export function classifyNetworkEdit(before: XmlDocument, after: XmlDocument): EditClass {
  if (key(before.root) === key(after.root)) return { kind: 'none' }
  const updates = sectionUpdates(before.root, after.root)
  const changed = changedElements(canonical(before.root), canonical(after.root))
  // Only text directly inside the root can differ without an element or attribute differing.
  const reasons = changed.length ? changed : [`the text inside <${after.root.name}> changed`]
  if (updates.length === 0) return { kind: 'restart', reasons }
  let modelled = before
  try {
    for (const update of updates) modelled = applyNetworkUpdate(modelled, update)
  } catch (error) {
    if (error instanceof NetworkUpdateError)
      return { kind: 'restart', reasons: [...reasons, `net-update would refuse it (${error.message})`] }
    throw error
  }
  if (key(modelled.root) === key(after.root)) return { kind: 'live', updates }
  const leftover = changedElements(canonical(modelled.root), canonical(after.root))
  return { kind: 'restart', reasons: leftover.length ? leftover : ['the order of entries changed'] }
}
