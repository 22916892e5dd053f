import 'server-only'
import { OperatorError, ParseError } from '@/lib/core/errors'
import { canonicalMac } from '@/lib/addresses/mac-address'
import { parseXml, parseXmlKeepingText } from '@/lib/xml/xml-parse'
import { renderElement } from '@/lib/xml/xml-render'
import {
  childElements,
  firstChild,
  getAttribute,
  insertChild,
  removeAttribute,
  setAttribute,
} from '@/lib/xml/xml-query'
import { element, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * A guest's <interface> elements as libvirt wrote them in `virsh dumpxml` (live) or `dumpxml --inactive` (the
 * persistent definition), and the one edit Virtnet makes to them: moving an interface to another network or bridge.
 */

const SOURCE = 'domain XML'

export type InterfaceElement = {
  /** <interface type=...>: network, bridge, direct, hostdev, user, ... */
  type: string
  /** Lower-case, as libvirt formats it; undefined when the element has no <mac> (libvirt generates one on define). */
  mac?: string
  /** The element exactly as the domain XML has it, byte for byte: what an undo hands back to libvirt. */
  xml: string
}

/** Every <devices><interface> of a domain document, in document order. */
export function domainInterfaceElements(domainXml: string): InterfaceElement[] {
  const { document, textOf } = parseXmlKeepingText(domainXml, SOURCE)
  if (document.root.name !== 'domain')
    throw new ParseError(SOURCE, `root element is <${document.root.name}>, expected <domain>`)
  const devices = firstChild(document.root, 'devices')
  return (devices ? childElements(devices, 'interface') : []).map((el) => {
    const address = firstChild(el, 'mac') && getAttribute(firstChild(el, 'mac')!, 'address')
    const mac = address === undefined ? undefined : (canonicalMac(address) ?? address)
    return { type: getAttribute(el, 'type') ?? 'unknown', ...(mac === undefined ? {} : { mac }), xml: textOf(el) }
  })
}

/** The interface with this MAC, or undefined; two interfaces with one MAC are refused (libvirt could not tell them apart). */
export function interfaceByMac(domainXml: string, mac: string): InterfaceElement | undefined {
  const wanted = canonicalMac(mac) ?? mac
  const matches = domainInterfaceElements(domainXml).filter((nic) => nic.mac === wanted)
  if (matches.length > 1)
    throw new OperatorError(
      `${matches.length} interfaces of this guest have MAC ${wanted}; libvirt cannot tell them apart.`,
    )
  return matches[0]
}

/**
 * True when detaching this interface from a definition makes libvirt change more than the interface: it is the only
 * device with a <boot order>, so libvirt adds <os><boot dev='hd'/> once it is gone and from then on refuses to attach
 * an element with a <boot order> again ("per-device boot elements cannot be used together with os/boot elements").
 * Only the whole definition as it was can then be put back.
 */
export function detachAddsOsBoot(domainXml: string, mac: string): boolean {
  const root = parseXml(domainXml, SOURCE).root
  const devices = firstChild(root, 'devices')
  if (!devices) return false
  const wanted = canonicalMac(mac) ?? mac
  const isIt = (device: XmlElement) => {
    const address =
      device.name === 'interface' && firstChild(device, 'mac') && getAttribute(firstChild(device, 'mac')!, 'address')
    return Boolean(address) && (canonicalMac(address as string) ?? address) === wanted
  }
  const bootOrdered = childElements(devices).filter((device) =>
    childElements(device, 'boot').some((boot) => getAttribute(boot, 'order') !== undefined),
  )
  return bootOrdered.length === 1 && isIt(bootOrdered[0]!)
}

/** Where a moved interface is plugged: a libvirt network (optionally one of its portgroups) or a host bridge. */
export type InterfaceDestination =
  { type: 'network'; network: string; portgroup?: string | null } | { type: 'bridge'; bridge: string }

/** The network or bridge an interface element names, for messages and for "is it already there". */
export function interfaceDestination(interfaceXml: string): InterfaceDestination | undefined {
  const root = parseXml(interfaceXml, 'interface XML').root
  const source = firstChild(root, 'source')
  const type = getAttribute(root, 'type')
  const network = source && getAttribute(source, 'network')
  const bridge = source && getAttribute(source, 'bridge')
  if (type === 'network' && network !== undefined) return { type, network }
  if (type === 'bridge' && bridge !== undefined) return { type, bridge }
  return undefined
}

// The order in which libvirt writes the <source> attributes a move sets.
const SOURCE_ATTRIBUTE_ORDER = ['network', 'portgroup', 'portid', 'bridge']

/**
 * The interface element moved to `to`, changing nothing but what a move means: the network/bridge/portgroup its
 * <source> names and, between a network and a bridge, the interface's type. Everything else (elements, attributes,
 * comments, elements a newer libvirt added, their order) is passed on as read. Crossing from a network to a bridge
 * drops the source's network, portgroup and portid (the network's port), which only mean something on a network;
 * crossing back drops the bridge. In a live XML, portid and bridge of a network interface are the current port and
 * bridge: libvirt replaces both when it plugs the interface into the new network.
 */
export function movedInterfaceXml(interfaceXml: string, to: InterfaceDestination): string {
  const root = parseXml(interfaceXml, 'interface XML').root
  if (root.name !== 'interface')
    throw new ParseError('interface XML', `root element is <${root.name}>, expected <interface>`)
  const from = getAttribute(root, 'type')
  if (from !== 'network' && from !== 'bridge')
    throw new OperatorError(
      `This interface is of type ${from ?? '(none)'}; only network and bridge interfaces can move to another network or bridge.`,
    )
  setAttribute(root, 'type', to.type)
  let source = firstChild(root, 'source')
  if (!source) {
    // libvirt writes <source> right after <mac>.
    source = element('source')
    const mac = root.children.findIndex((c) => c.type === 'element' && c.name === 'mac')
    insertChild(root, mac + 1, source)
  }
  if (to.type === 'network') {
    if (from === 'bridge') removeAttribute(source, 'bridge')
    placeSourceAttribute(source, 'network', to.network)
    if (to.portgroup === null) removeAttribute(source, 'portgroup')
    else if (to.portgroup !== undefined) placeSourceAttribute(source, 'portgroup', to.portgroup)
  } else {
    if (from === 'network') for (const name of ['network', 'portgroup', 'portid']) removeAttribute(source, name)
    placeSourceAttribute(source, 'bridge', to.bridge)
  }
  return renderElement(root)
}

/** Sets a <source> attribute where it is, or puts a new one after those libvirt writes before it (else first). */
function placeSourceAttribute(source: XmlElement, name: string, value: string) {
  if (getAttribute(source, name) !== undefined) return setAttribute(source, name, value)
  const earlier = SOURCE_ATTRIBUTE_ORDER.slice(0, SOURCE_ATTRIBUTE_ORDER.indexOf(name))
  const after = source.attributes.findLastIndex((a) => earlier.includes(a.name))
  source.attributes.splice(after + 1, 0, { name, value })
}
