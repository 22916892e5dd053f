import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { readHostTab } from '@/lib/hosts/host-tab'
import { virshBatch } from '@/lib/libvirt/virsh'
import { parseNetList } from '@/lib/host-output/virsh-net-list'
import { parseIpLinks } from '@/lib/host-output/ip-link-json'
import { parseDomainList, type DomainState } from '@/lib/host-output/virsh-list'
import { parseNetDhcpLeases } from '@/lib/host-output/virsh-net-dhcp-leases'
import { canonicalMac } from '@/lib/addresses/mac-address'
import { parseDomainInterfaces, type DomainInterface } from '@/lib/libvirt-xml/domain-parse'
import { domainInterfaceElements } from '@/lib/libvirt-xml/domain-interface'
import { readInterfaceSettings, type InterfaceSettings } from '@/lib/libvirt-xml/interface-settings'

// What the guests page (and the DHCP page) read; nothing here changes a host (that is changes.ts).

export type GuestInterface = {
  type: string
  /** network name, bridge name, macvtap device or PCI address, depending on type */
  source: string | null
  mac: string | null
  model: string | null
  /** host-side tap device (running guests) */
  tap: string | null
  addresses: string[]
  /** Link state, bandwidth, filter, portgroup and model as the guest's XML (live when running) holds them. */
  settings: InterfaceSettings | null
}

export type GuestView = { name: string; state: DomainState; persistent: boolean; interfaces: GuestInterface[] }

function sourceOf(nic: DomainInterface): string | null {
  const s = nic.source
  if (nic.type === 'network') return s.network ?? null
  if (nic.type === 'bridge') return s.bridge ?? null
  if (nic.type === 'hostdev' && s.pciAddress)
    return `pci ${s.pciAddress.domain}:${s.pciAddress.bus}:${s.pciAddress.slot}.${s.pciAddress.function}`
  return s.dev ?? s.bridge ?? s.network ?? null
}

/**
 * Every guest with its interfaces, in three virsh processes: the list, every domain's XML (live for running
 * guests), and the DHCP leases of the networks those interfaces use (the addresses shown).
 */
export async function listGuests(host: HostTarget): Promise<GuestView[]> {
  const [table = ''] = await virshBatch(host, [['list', '--all']])
  const domains = parseDomainList(table)
  const batch = domains.flatMap((d) => [
    ['dumpxml', '--domain', d.name],
    ['dominfo', '--domain', d.name],
  ])
  const outputs = await virshBatch(host, batch)
  const nicsOf = domains.map((_, i) => {
    const xml = outputs[i * 2]?.trim()
    return xml ? parseDomainInterfaces(xml) : []
  })
  const settingsOf = domains.map((_, i) => {
    const xml = outputs[i * 2]?.trim()
    return new Map(
      (xml ? domainInterfaceElements(xml) : []).flatMap((el) =>
        el.mac ? [[el.mac, readInterfaceSettings(el.xml)] as const] : [],
      ),
    )
  })
  const networks = [
    ...new Set(
      nicsOf
        .flat()
        .filter((n) => n.type === 'network' && n.source.network)
        .map((n) => n.source.network!),
    ),
  ]
  const leaseOutputs = await virshBatch(
    host,
    networks.map((n) => ['net-dhcp-leases', '--network', n]),
  )
  const addresses = new Map<string, string[]>()
  for (const output of leaseOutputs) {
    if (!output.trim()) continue
    for (const lease of parseNetDhcpLeases(output)) {
      const mac = canonicalMac(lease.mac) ?? lease.mac
      addresses.set(mac, [...(addresses.get(mac) ?? []), lease.ip])
    }
  }
  return domains.map((domain, i) => ({
    name: domain.name,
    state: domain.state,
    persistent: /^Persistent:\s+yes/m.test(outputs[i * 2 + 1] ?? ''),
    interfaces: (nicsOf[i] ?? []).map((nic) => {
      const mac = nic.mac ? (canonicalMac(nic.mac) ?? nic.mac) : null
      return {
        type: nic.type,
        source: sourceOf(nic),
        mac,
        model: nic.model ?? null,
        tap: nic.target ?? null,
        addresses: mac ? (addresses.get(mac) ?? []) : [],
        settings: mac ? (settingsOf[i]?.get(mac) ?? null) : null,
      }
    }),
  }))
}

/** MAC → guest name, for "who owns this MAC" on the DHCP page. */
export function macOwners(guests: GuestView[]): Map<string, string> {
  const owners = new Map<string, string>()
  for (const guest of guests) for (const nic of guest.interfaces) if (nic.mac) owners.set(nic.mac, guest.name)
  return owners
}

/** What an interface can be attached to: the host's libvirt networks and its bridges. */
export type InterfaceSources = { networks: Array<{ name: string; active: boolean }>; bridges: string[] }

export async function readInterfaceSources(host: HostTarget): Promise<InterfaceSources> {
  const [[list = ''], links] = await Promise.all([
    virshBatch(host, [['net-list', '--all']]),
    run(host, sh`ip -j -d link show type bridge`),
  ])
  return {
    networks: parseNetList(list).map((n) => ({ name: n.name, active: n.active })),
    bridges: parseIpLinks(links.stdout).map((l) => l.name),
  }
}

/** Every guest with its interfaces, and what an interface can be attached to. */
export async function guestsPageData(hostId: string) {
  return readHostTab(hostId, async (target) => {
    const [guests, sources] = await Promise.all([listGuests(target), readInterfaceSources(target)])
    return { guests, sources }
  })
}
