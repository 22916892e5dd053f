import 'server-only'
import { ParseError } from '@/lib/core/errors'
import { parseXml } from '@/lib/xml/xml-parse'
import { renderElement } from '@/lib/xml/xml-render'
import { childElements, firstChild, getAttribute, insertChild, removeChild, setAttribute } from '@/lib/xml/xml-query'
import { element, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * The settings of a guest's interface that the Guests tab edits — link state, bandwidth, network filter, portgroup and
 * model — read from and written into the <interface> element exactly as libvirt wrote it. Only an element whose value
 * changes is touched; everything else (attributes, elements a newer libvirt added, their order) passes through as read.
 */

export type BandwidthDirection = { average?: number; peak?: number; burst?: number }
export type InterfaceSettings = {
  link: 'up' | 'down'
  model: string | null
  portgroup: string | null
  filter: { name: string; parameters: Array<{ name: string; value: string }> } | null
  inbound: BandwidthDirection
  outbound: BandwidthDirection
}

const SOURCE = 'interface XML'

function interfaceRoot(xml: string): XmlElement {
  const root = parseXml(xml, SOURCE).root
  if (root.name !== 'interface') throw new ParseError(SOURCE, `root element is <${root.name}>, expected <interface>`)
  return root
}

function direction(bandwidth: XmlElement | undefined, name: 'inbound' | 'outbound'): BandwidthDirection {
  const el = bandwidth && firstChild(bandwidth, name)
  if (!el) return {}
  const out: BandwidthDirection = {}
  for (const key of ['average', 'peak', 'burst'] as const) {
    const value = getAttribute(el, key)
    if (value !== undefined) out[key] = Number(value)
  }
  return out
}

export function readInterfaceSettings(interfaceXml: string): InterfaceSettings {
  const root = interfaceRoot(interfaceXml)
  const filterref = firstChild(root, 'filterref')
  const bandwidth = firstChild(root, 'bandwidth')
  return {
    link: getAttribute(firstChild(root, 'link') ?? element('link'), 'state') === 'down' ? 'down' : 'up',
    model: getAttribute(firstChild(root, 'model') ?? element('model'), 'type') ?? null,
    portgroup: getAttribute(firstChild(root, 'source') ?? element('source'), 'portgroup') ?? null,
    filter: filterref
      ? {
          name: getAttribute(filterref, 'filter') ?? '',
          parameters: childElements(filterref, 'parameter').map((p) => ({
            name: getAttribute(p, 'name') ?? '',
            value: getAttribute(p, 'value') ?? '',
          })),
        }
      : null,
    inbound: direction(bandwidth, 'inbound'),
    outbound: direction(bandwidth, 'outbound'),
  }
}

// Where libvirt formats each element among an interface's children (virDomainNetDefFormat), for a new element.
const ORDER = [
  'mac',
  'source',
  'vlan',
  'virtualport',
  'bandwidth',
  'port',
  'ip',
  'route',
  'script',
  'downscript',
  'backenddomain',
  'target',
  'guest',
  'model',
  'driver',
  'backend',
  'filterref',
  'tune',
  'teaming',
  'link',
  'mtu',
  'coalesce',
  'boot',
  'alias',
  'rom',
  'acpi',
  'address',
]

/** Replaces the child named `name` by `next` (null: removes it), or puts `next` where libvirt writes it. */
function placeChild(root: XmlElement, name: string, next: XmlElement | null) {
  const current = firstChild(root, name)
  if (current) {
    const index = root.children.indexOf(current)
    removeChild(root, current)
    if (next) insertChild(root, index, next)
    return
  }
  if (!next) return
  const later = ORDER.slice(ORDER.indexOf(name) + 1)
  const before = root.children.findIndex((c) => c.type === 'element' && later.includes(c.name))
  insertChild(root, before === -1 ? root.children.length : before, next)
}

const sameDirection = (a: BandwidthDirection, b: BandwidthDirection) =>
  a.average === b.average && a.peak === b.peak && a.burst === b.burst

function directionElement(name: string, value: BandwidthDirection): XmlElement | null {
  if (value.average === undefined && value.peak === undefined && value.burst === undefined) return null
  const attributes: Record<string, string> = {}
  for (const key of ['average', 'peak', 'burst'] as const)
    if (value[key] !== undefined) attributes[key] = String(value[key])
  return element(name, attributes)
}

/**
 * The interface element with `wanted` applied: each setting whose value differs from what the element holds is
 * rewritten, the others are left as they are, byte for byte. `keepModel`: the side cannot change its model (a running
 * guest), so the model stays as read.
 */
export function interfaceWithSettings(interfaceXml: string, wanted: InterfaceSettings, keepModel = false): string {
  const root = interfaceRoot(interfaceXml)
  const current = readInterfaceSettings(interfaceXml)
  if (current.link !== wanted.link) {
    const link = firstChild(root, 'link')
    if (link) setAttribute(link, 'state', wanted.link)
    else placeChild(root, 'link', element('link', { state: wanted.link }))
  }
  if (!keepModel && current.model !== wanted.model) {
    const model = firstChild(root, 'model')
    if (model && wanted.model) setAttribute(model, 'type', wanted.model)
    else placeChild(root, 'model', wanted.model ? element('model', { type: wanted.model }) : null)
  }
  if (current.portgroup !== wanted.portgroup) {
    const source = firstChild(root, 'source')
    if (!source) throw new ParseError(SOURCE, 'the interface has no <source> to name a portgroup on')
    if (wanted.portgroup) setAttribute(source, 'portgroup', wanted.portgroup, ['network'])
    else source.attributes = source.attributes.filter((a) => a.name !== 'portgroup')
  }
  if (JSON.stringify(current.filter) !== JSON.stringify(wanted.filter)) {
    placeChild(
      root,
      'filterref',
      wanted.filter
        ? element(
            'filterref',
            { filter: wanted.filter.name },
            wanted.filter.parameters.map((p) => element('parameter', { name: p.name, value: p.value })),
          )
        : null,
    )
  }
  if (!sameDirection(current.inbound, wanted.inbound) || !sameDirection(current.outbound, wanted.outbound)) {
    const bandwidth = firstChild(root, 'bandwidth') ?? element('bandwidth')
    const hadBandwidth = firstChild(root, 'bandwidth') !== undefined
    for (const name of ['inbound', 'outbound'] as const) {
      if (sameDirection(current[name], wanted[name])) continue
      const next = directionElement(name, wanted[name])
      const existing = firstChild(bandwidth, name)
      if (existing) {
        const index = bandwidth.children.indexOf(existing)
        removeChild(bandwidth, existing)
        if (next) insertChild(bandwidth, index, next)
      } else if (next) {
        insertChild(bandwidth, name === 'inbound' ? 0 : bandwidth.children.length, next)
      }
    }
    const empty = childElements(bandwidth).length === 0
    if (empty) placeChild(root, 'bandwidth', null)
    else if (!hadBandwidth) placeChild(root, 'bandwidth', bandwidth)
  }
  return renderElement(root)
}
