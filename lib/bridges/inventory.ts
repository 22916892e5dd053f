import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { readNetworksAndDomains, type NetworkSummary } from '@/lib/libvirt/read-networks'
import { parseIpAddresses, type IpLinkWithAddresses } from '@/lib/host-output/ip-addr-json'
import { parseDomainInterfaces } from '@/lib/libvirt-xml/domain-parse'
import { parseJsonArray, optionalNumber, optionalString } from '@/lib/host-output/json-input'
import type { NicRoute } from '@/lib/bridges/host-bridge-scripts'

export type BridgeView = {
  name: string
  members: string[]
  /** The libvirt network that created and manages this bridge (virbrN of a NAT/routed/isolated network). */
  managedBy: string | null
  /** libvirt-managed bridges are NAT-only: a physical NIC must never be enslaved to them. */
  natOnly: boolean
  /** forward mode='bridge' networks that hand guests to this bridge. */
  networks: string[]
  /** Guests attached directly (<interface type='bridge'>) or through one of those networks. */
  guests: string[]
  addresses: string[]
}

export type NicView = {
  name: string
  physical: boolean
  wireless: boolean
  master: string | null
  addresses: string[]
  kind: string | null
}

/** sysfs facts `ip` does not show: wireless (cannot join a Linux bridge) and physical (has a device). */
const sysfsFlagsCommand = sh`for d in /sys/class/net/*; do w=-; p=-; { [ -e "$d/wireless" ] || [ -e "$d/phy80211" ]; } && w=wireless; [ -e "$d/device" ] && p=physical; echo "$(basename "$d") $w $p"; done`

export function parseSysfsFlags(output: string): Map<string, { wireless: boolean; physical: boolean }> {
  const flags = new Map<string, { wireless: boolean; physical: boolean }>()
  for (const line of output.split('\n')) {
    const [name, wireless, physical] = line.trim().split(/\s+/)
    if (name) flags.set(name, { wireless: wireless === 'wireless', physical: physical === 'physical' })
  }
  return flags
}

/** `ip -j route show`: the routes with a gateway, per device. */
export function parseGatewayRoutes(output: string, dev: string): NicRoute[] {
  return parseJsonArray(output, 'ip -j route')
    .filter(
      (route) =>
        optionalString(route, 'dev', 'ip -j route', 0) === dev && optionalString(route, 'gateway', 'ip -j route', 0),
    )
    .map((route) => {
      const metric = optionalNumber(route, 'metric', 'ip -j route', 0)
      return {
        dst: optionalString(route, 'dst', 'ip -j route', 0) ?? 'default',
        gateway: optionalString(route, 'gateway', 'ip -j route', 0)!,
        ...(metric === null ? {} : { metric }),
      }
    })
}

const globalAddresses = (link: IpLinkWithAddresses) =>
  link.addresses.filter((a) => a.scope !== 'link' && a.scope !== 'host').map((a) => `${a.address}/${a.prefix}`)

export function buildBridgeViews(
  links: IpLinkWithAddresses[],
  networks: NetworkSummary[],
  domains: Array<{ name: string; xml: string }>,
): BridgeView[] {
  const bridgeGuests = new Map<string, string[]>()
  for (const { name, xml } of domains) {
    if (!xml.trim()) continue
    for (const nic of parseDomainInterfaces(xml)) {
      if (nic.type !== 'bridge' || !nic.source.bridge) continue
      bridgeGuests.set(nic.source.bridge, [...new Set([...(bridgeGuests.get(nic.source.bridge) ?? []), name])])
    }
  }
  return links
    .filter((link) => link.kind === 'bridge')
    .map((bridge) => {
      const managed = networks.find((n) => n.bridge === bridge.name && n.forwardMode !== 'bridge')
      const bridgeNetworks = networks.filter((n) => n.forwardMode === 'bridge' && n.bridge === bridge.name)
      const guests = [
        ...new Set([
          ...(bridgeGuests.get(bridge.name) ?? []),
          ...bridgeNetworks.flatMap((n) => n.guests),
          ...(managed?.guests ?? []),
        ]),
      ]
      return {
        name: bridge.name,
        members: links.filter((l) => l.master === bridge.name).map((l) => l.name),
        managedBy: managed?.name ?? null,
        natOnly: Boolean(managed),
        networks: bridgeNetworks.map((n) => n.name),
        guests,
        addresses: globalAddresses(bridge),
      }
    })
}

export type BridgesInventory = {
  bridges: BridgeView[]
  nics: NicView[]
  links: IpLinkWithAddresses[]
  guests: string[]
  networks: NetworkSummary[]
}

export async function bridgesInventory(host: HostTarget): Promise<BridgesInventory> {
  const [addrs, flags, { networks, domains }] = await Promise.all([
    run(host, sh`ip -j -d addr show`),
    run(host, sysfsFlagsCommand),
    readNetworksAndDomains(host),
  ])
  const links = parseIpAddresses(addrs.stdout)
  const sysfs = parseSysfsFlags(flags.stdout)
  const nics = links
    .filter((l) => l.name !== 'lo' && l.kind !== 'bridge' && l.kind !== 'tun' && !/^(vnet|macvtap)\d+$/.test(l.name))
    .map((l) => ({
      name: l.name,
      physical: sysfs.get(l.name)?.physical ?? false,
      wireless: sysfs.get(l.name)?.wireless ?? false,
      master: l.master,
      addresses: globalAddresses(l),
      kind: l.kind,
    }))
  return {
    bridges: buildBridgeViews(links, networks, domains),
    nics,
    links,
    guests: domains.map((domain) => domain.name),
    networks,
  }
}
