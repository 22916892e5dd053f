import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'
import { domainXmls } from '@/lib/libvirt/domains'
import { parseNetList } from '@/lib/host-output/virsh-net-list'
import { parseIpAddresses } from '@/lib/host-output/ip-addr-json'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { parseDomainInterfaces } from '@/lib/libvirt-xml/domain-parse'
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
async function guestsByNetwork(host: HostTarget): Promise<Map<string, string[]>> {
  const usage = new Map<string, string[]>()
  for (const { name: domain, xml } of await domainXmls(host)) {
    if (!xml.trim()) continue
    for (const nic of parseDomainInterfaces(xml)) {
      if (nic.type !== 'network' || !nic.source.network) continue
      const list = usage.get(nic.source.network) ?? []
      if (!list.includes(domain)) list.push(domain)
      usage.set(nic.source.network, list)
    }
  }
  return usage
}

function summarize(
  entry: { name: string; active: boolean; autostart: boolean; persistent: boolean },
  xml: string,
  guests: string[],
): NetworkSummary {
  const definition = xml.trim() ? parseNetworkXml(xml) : null
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

/** Every network on the host in two virsh processes, however many networks there are. */
export async function listNetworks(host: HostTarget): Promise<NetworkSummary[]> {
  const [[table = ''], usage] = await Promise.all([virshBatch(host, [['net-list', '--all']]), guestsByNetwork(host)])
  const entries = parseNetList(table)
  const xmls = await virshBatch(
    host,
    entries.map((entry) => ['net-dumpxml', '--network', entry.name]),
  )
  return entries.map((entry, index) => summarize(entry, xmls[index] ?? '', usage.get(entry.name) ?? []))
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
    forwardMode: summarize(entry, liveXml, []).forwardMode,
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
