import 'server-only'
import { ParseError } from '@/lib/core/errors'
import type { PciAddress } from '@/lib/libvirt-xml/network-types'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, firstChild, getAttribute, textContent } from '@/lib/xml/xml-query'
import type { XmlElement } from '@/lib/xml/xml-tree'

/* What the network views need from `virsh dumpxml DOMAIN`: the guest's NICs and a summary. */

const SOURCE = 'domain XML'

export type DomainInterface = {
  /** <interface type=...>: network, bridge, direct, hostdev, user, ethernet, vhostuser, ... */
  type: string
  source: {
    network?: string
    /** For type='bridge'; for type='network' the live XML also names the bridge libvirt used. */
    bridge?: string
    /** Host device for type='direct' (macvtap). */
    dev?: string
    /** macvtap mode for type='direct': vepa, bridge, private, passthrough. */
    mode?: string
    portgroup?: string
    /** Host PCI device for type='hostdev'. */
    pciAddress?: PciAddress
  }
  mac?: string
  model?: string
  /** Host-side tap/macvtap device (live XML only). */
  target?: string
  /** libvirt's device alias, e.g. "net0" (live XML) or "ua-..." (user alias). */
  alias?: string
  /** <link state='down'/> unplugs the virtual cable. */
  linkState?: string
}

export type DomainSummary = {
  name: string
  uuid?: string
  /** Domain id while running (live XML only). */
  id?: number
  /** Hypervisor type: kvm, qemu, ... */
  hypervisor: string
  title?: string
  /** Maximum memory, in KiB whatever unit the XML used. */
  memoryKiB: number
  currentMemoryKiB?: number
  vcpus: number
}

export function parseDomainInterfaces(xml: string): DomainInterface[] {
  const root = domainRoot(xml)
  const devices = firstChild(root, 'devices')
  return devices ? childElements(devices, 'interface').map(readInterface) : []
}

export function parseDomainSummary(xml: string): DomainSummary {
  const root = domainRoot(xml)
  const name = optionalText(root, 'name')
  if (!name) throw new ParseError(SOURCE, '<domain> has no <name>')
  const memory = firstChild(root, 'memory')
  if (!memory) throw new ParseError(SOURCE, '<domain> has no <memory>')
  const current = firstChild(root, 'currentMemory')
  const vcpu = firstChild(root, 'vcpu')
  const id = getAttribute(root, 'id')
  const summary: DomainSummary = {
    name,
    hypervisor: getAttribute(root, 'type') ?? 'unknown',
    memoryKiB: toKiB(memory),
    // libvirt's default when <vcpu> is absent is one vCPU.
    vcpus: vcpu ? wholeNumber(textContent(vcpu).trim(), '<vcpu>') : 1,
  }
  const uuid = optionalText(root, 'uuid')
  const title = optionalText(root, 'title')
  if (uuid) summary.uuid = uuid
  if (title) summary.title = title
  if (id !== undefined && id !== '-1') summary.id = wholeNumber(id, '<domain id>')
  if (current) summary.currentMemoryKiB = toKiB(current)
  return summary
}

function domainRoot(xml: string): XmlElement {
  const root = parseXml(xml, SOURCE).root
  if (root.name !== 'domain') throw new ParseError(SOURCE, `root element is <${root.name}>, expected <domain>`)
  return root
}

function readInterface(el: XmlElement): DomainInterface {
  const source = firstChild(el, 'source')
  const sourcePci = source && firstChild(source, 'address')
  const nic: DomainInterface = { type: getAttribute(el, 'type') ?? 'unknown', source: {} }
  if (source) {
    for (const key of ['network', 'bridge', 'dev', 'mode', 'portgroup'] as const) {
      const value = getAttribute(source, key)
      if (value !== undefined) nic.source[key] = value
    }
    if (sourcePci && (getAttribute(sourcePci, 'type') ?? 'pci') === 'pci') {
      nic.source.pciAddress = {
        domain: getAttribute(sourcePci, 'domain') ?? '0x0000',
        bus: getAttribute(sourcePci, 'bus') ?? '0x00',
        slot: getAttribute(sourcePci, 'slot') ?? '0x00',
        function: getAttribute(sourcePci, 'function') ?? '0x0',
      }
    }
  }
  const set = (key: 'mac' | 'model' | 'target' | 'alias' | 'linkState', child: string, attribute: string) => {
    const childEl = firstChild(el, child)
    const value = childEl && getAttribute(childEl, attribute)
    if (value !== undefined) nic[key] = value
  }
  set('mac', 'mac', 'address')
  set('model', 'model', 'type')
  set('target', 'target', 'dev')
  set('alias', 'alias', 'name')
  set('linkState', 'link', 'state')
  return nic
}

// libvirt's scaled-integer units (virScaleInteger): powers of 1000 for "KB"-style, 1024 otherwise.
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  bytes: 1,
  kb: 1e3,
  k: 1024,
  kib: 1024,
  mb: 1e6,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1e9,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1e12,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  pb: 1e15,
  p: 1024 ** 5,
  pib: 1024 ** 5,
}

function toKiB(el: XmlElement): number {
  const unit = (getAttribute(el, 'unit') ?? 'KiB').toLowerCase()
  const factor = UNIT_BYTES[unit]
  if (factor === undefined)
    throw new ParseError(SOURCE, `<${el.name} unit='${getAttribute(el, 'unit')}'> is not a known unit`)
  // libvirt rounds up to whole KiB.
  return Math.ceil((wholeNumber(textContent(el).trim(), `<${el.name}>`) * factor) / 1024)
}

function wholeNumber(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new ParseError(SOURCE, `${what} should be a whole number, got '${value}'`)
  return Number(value)
}

function optionalText(parent: XmlElement, name: string): string | undefined {
  const el = firstChild(parent, name)
  return el ? textContent(el).trim() : undefined
}
