import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'
import { readInventory, type HostInventory } from '@/lib/libvirt/inventory'
import { parseNetList } from '@/lib/host-output/virsh-net-list'
import { parseIpAddresses } from '@/lib/host-output/ip-addr-json'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { parseDomainInterfaces, parseDomainSummary } from '@/lib/libvirt-xml/domain-parse'
import type { NetworkDefinition } from '@/lib/libvirt-xml/network-types'
import { formatSubnet, requireIpv4, subnetOf, type IpSubnet } from '@/lib/addresses/ip-address'

export type NetworkSummary = {
  name: string
  uuid: string | null
  active: boolean
  autostart: boolean
  persistent: boolean
  forwardMode: string
  bridge: string | null
  ipv4: { gateway: string; subnet: string } | null
  dhcpRange: { start: string; end: string } | null
  /** guests with an interface on this network (running or defined) */
  guests: string[]
  definition: NetworkDefinition | null
}

/** Which guests use which network, from every domain's XML (live XML for running guests, config otherwise). */
export function guestsByNetwork(domains: Array<{ xml: string }>): Map<string, string[]> {
  const usage = new Map<string, string[]>()
  for (const { xml } of domains) {
    if (!xml.trim()) continue
    const domain = domainName(xml)
    if (!domain) continue
    for (const nic of parseDomainInterfaces(xml)) {
      if (nic.type !== 'network' || !nic.source.network) continue
      const list = usage.get(nic.source.network) ?? []
      if (!list.includes(domain)) list.push(domain)
      usage.set(nic.source.network, list)
    }
  }
  return usage
}

/** A domain XML's name (libvirt always writes one). */
export function domainName(xml: string): string | null {
  try {
    return parseDomainSummary(xml).name
  } catch {
    return null
  }
}

function summarize(
  entry: { name: string; active: boolean; autostart: boolean; persistent: boolean },
  definition: NetworkDefinition | null,
  guests: string[],
): NetworkSummary {
  const ipv4 = definition?.ips.find((ip) => ip.family === 'ipv4')
  const range = ipv4?.dhcp?.ranges[0]
  return {
    ...entry,
    uuid: definition?.uuid ?? null,
    forwardMode: definition?.forward?.mode ?? 'isolated',
    bridge: definition?.bridge?.name ?? null,
    ipv4: ipv4
      ? { gateway: ipv4.address, subnet: formatSubnet(subnetOf(requireIpv4(ipv4.address), ipv4.prefix)) }
      : null,
    dhcpRange: range ? { start: range.start, end: range.end } : null,
    guests,
    definition,
  }
}

/** The networks of an inventory (lib/libvirt/inventory.ts), in net-list's order. */
export function networksOf(inventory: HostInventory): NetworkSummary[] {
  const usage = guestsByNetwork(inventory.domains)
  const byName = new Map<string, NetworkDefinition>()
  for (const { xml } of inventory.networks) {
    if (!xml.trim()) continue
    const definition = parseNetworkXml(xml)
    byName.set(definition.name, definition)
  }
  return parseNetList(inventory.netList).map((entry) =>
    summarize(entry, byName.get(entry.name) ?? null, usage.get(entry.name) ?? []),
  )
}

/** Every network on the host in one round trip and two virsh processes, however many networks there are. */
export async function listNetworks(host: HostTarget): Promise<NetworkSummary[]> {
  return networksOf(await readInventory(host))
}

/** The networks and every guest's XML (with its name) from the same single round trip. */
export async function readNetworksAndDomains(
  host: HostTarget,
): Promise<{ networks: NetworkSummary[]; domains: Array<{ name: string; xml: string }> }> {
  const inventory = await readInventory(host)
  const domains = inventory.domains.flatMap(({ xml }) => {
    const name = xml.trim() ? domainName(xml) : null
    return name ? [{ name, xml }] : []
  })
  return { networks: networksOf(inventory), domains }
}

export async function getNetwork(host: HostTarget, name: string): Promise<NetworkSummary | null> {
  return (await listNetworks(host)).find((network) => network.name === name) ?? null
}

/** One network's flags and definitions in one virsh process (no guest lookup): what desired state records. */
export async function readNetworkDefinitions(host: HostTarget, name: string) {
  const [table = '', liveXml = '', configXml = ''] = await virshBatch(host, [
    ['net-list', '--all'],
    ['net-dumpxml', '--network', name],
    ['net-dumpxml', '--network', name, '--inactive'],
  ])
  const entry = parseNetList(table).find((n) => n.name === name)
  if (!entry) return null
  return {
    ...entry,
    forwardMode: summarize(entry, liveXml.trim() ? parseNetworkXml(liveXml) : null, []).forwardMode,
    liveXml,
    configXml: entry.persistent ? configXml : null,
  }
}

export async function networkXml(
  host: HostTarget,
  name: string,
  options: { inactive?: boolean } = {},
): Promise<string> {
  const args = ['net-dumpxml', '--network', name, ...(options.inactive ? ['--inactive'] : [])]
  return (await run(host, virsh(...args))).stdout
}

/** IPv4 subnets the host already uses on any interface (libvirt bridges included), to refuse overlaps. */
export async function hostIpv4Subnets(host: HostTarget): Promise<Array<{ subnet: IpSubnet; owner: string }>> {
  const result = await run(host, sh`ip -j -4 addr show`)
  return parseIpAddresses(result.stdout).flatMap((link) =>
    link.addresses
      .filter((a) => a.family === 'ipv4' && a.scope !== 'host')
      .map((a) => ({ subnet: subnetOf(requireIpv4(a.address), a.prefix), owner: `interface ${link.name}` })),
  )
}

/** libvirt ships the stock definition of `default` here; restoring it means defining exactly this file. */
export const stockDefaultNetworkPath = '/usr/share/libvirt/networks/default.xml'

export async function stockDefaultNetworkXml(host: HostTarget): Promise<string> {
  return (await run(host, sh`cat ${stockDefaultNetworkPath}`)).stdout
}
