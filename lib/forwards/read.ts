import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { db } from '@/lib/db/client'
import type { PortForward } from '@/lib/db/generated/client'
import { virshBatch } from '@/lib/libvirt/virsh'
import { networksOf, type NetworkSummary } from '@/lib/libvirt/read-networks'
import { readInventory } from '@/lib/libvirt/inventory'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { parseDomainInterfaces, parseDomainSummary } from '@/lib/libvirt-xml/domain-parse'
import { parseNetDhcpLeases } from '@/lib/host-output/virsh-net-dhcp-leases'
import { parseSsListeners, type SocketListener } from '@/lib/host-output/ss-listeners'
import { parseIpAddresses } from '@/lib/host-output/ip-addr-json'
import { checkHealth } from '@/lib/hosts/health'
import { readHostTab } from '@/lib/hosts/host-tab'
import { authorize } from '@/lib/auth/authorize'
import { healthOf, type HostRow } from '@/lib/hosts/store'
import { hookDigest, hookLogPath, hookPaths, hookScript, statePath } from '@/lib/forwards/hook-script'
import { desiredNftRules, desiredRules, toRuleInput, type FirewallBackend } from '@/lib/forwards/rules'
import { computeDrift, computeNftDrift, type Drift, type IptablesListing, type NftRuleset } from '@/lib/forwards/drift'
import { formatSubnet, parseIp, subnetOf, type IpFamily } from '@/lib/addresses/ip-address'
import type { NetworkIp } from '@/lib/libvirt-xml/network-types'
import type { DhcpLease } from '@/lib/host-output/virsh-net-dhcp-leases'
import { macOfDuid } from '@/lib/addresses/mac-address'

// What the forwards page reads, and the host reads the changes check against; nothing here changes a host or the
// database (that is changes.ts).

/** A guest NIC on a NAT network of the host (or, for IPv6, a NAT or routed one): what a forward can point at. */
export type ForwardableNic = {
  guestName: string
  guestUuid: string
  running: boolean
  network: string
  /** libvirt's forward mode of the network: IPv4 forwards need 'nat' */
  forwardMode: string
  bridge: string
  /** the network's IPv4 subnet ('' when it has none) */
  subnet: string
  mac: string
  /** the address of the guest's static DHCP mapping on that network */
  staticIp: string | null
  /** its current lease, to offer as the static address when there is no mapping yet */
  leaseIp: string | null
  /** the network's IPv6 subnet and the guest's IPv6 address there (its DHCPv6 mapping, its lease); null: no IPv6 */
  ipv6: { subnet: string; staticIp: string | null; leaseIp: string | null; leaseDuid: string | null } | null
}

export type HookStatus = {
  qemu: 'missing' | 'current' | 'outdated'
  network: 'missing' | 'current' | 'outdated'
  /** the last lines the hook logged: proof libvirt calls it */
  log: string[]
}

const ipv6Of = (network: NetworkSummary) => network.definition?.ips.find((ip) => ip.family === 'ipv6')

/*
 * Networks a forward can lead into: running NAT networks with IPv4 (as always), and NAT or routed ones with IPv6
 * (libvirt routes IPv6 on both; a forward still takes the host's port to the guest's port).
 */
const forwardableNetworks = (networks: NetworkSummary[]) =>
  networks.filter(
    (n) =>
      n.active &&
      n.bridge &&
      ((n.forwardMode === 'nat' && n.ipv4) || (['nat', 'route'].includes(n.forwardMode) && ipv6Of(n))),
  )

/**
 * The guest NIC's IPv6 address on a network: its DHCPv6 mapping (libvirt keys those by DUID or name, not MAC: a
 * DUID carrying the NIC's MAC, or the guest's name) and its DHCPv6 lease.
 */
function ipv6OfNic(ip: NetworkIp, subnet: string, leases: DhcpLease[], mac: string, guestName: string) {
  const hosts = ip.dhcp?.hosts.filter((h) => h.ip) ?? []
  const mapping = hosts.find((h) => macOfDuid(h.id) === mac) ?? hosts.find((h) => !h.id && h.name === guestName)
  const lease = leases.find(
    (l) => l.protocol === 'ipv6' && (l.mac.toLowerCase() === mac || macOfDuid(l.clientId) === mac),
  )
  return { subnet, staticIp: mapping?.ip ?? null, leaseIp: lease?.ip ?? null, leaseDuid: lease?.clientId ?? null }
}

const subnetText = (ip: NetworkIp) => formatSubnet(subnetOf(parseIp(ip.address)!, ip.prefix))

/**
 * Every guest NIC on a running NAT network, with its static mapping and lease, and the UUIDs of the running guests:
 * one round trip (lib/libvirt/inventory.ts).
 */
export async function readForwardableNics(
  host: HostTarget,
): Promise<{ nics: ForwardableNic[]; networks: NetworkSummary[]; running: string[] }> {
  const inventory = await readInventory(host, { leases: true })
  const networks = networksOf(inventory)
  const nat = forwardableNetworks(networks)
  const runningUuids = new Set(inventory.running)
  const leaseTables = new Map<string, string>()
  for (const { xml, leases } of inventory.networks) {
    const name = xml.trim() ? networkName(xml) : null
    if (name) leaseTables.set(name, leases)
  }
  const leases = new Map(nat.map((n) => [n.name, safeLeases(leaseTables.get(n.name) ?? '')]))
  const nics: ForwardableNic[] = []
  for (const { xml: raw } of inventory.domains) {
    const xml = raw.trim()
    if (!xml) continue
    const summary = domainSummary(xml)
    if (!summary?.uuid) continue
    const { name: domain, uuid } = summary
    for (const nic of parseDomainInterfaces(xml)) {
      const network = nat.find((n) => n.name === nic.source.network)
      if (nic.type !== 'network' || !network || !nic.mac) continue
      const mac = nic.mac.toLowerCase()
      const ip = network.definition?.ips.find((i) => i.family === 'ipv4')
      const mapping = ip?.dhcp?.hosts.find((h) => h.mac?.toLowerCase() === mac && h.ip)
      const networkLeases = leases.get(network.name) ?? []
      const lease = networkLeases.find((l) => l.mac.toLowerCase() === mac && l.protocol === 'ipv4')
      const ip6 = ipv6Of(network)
      nics.push({
        guestName: domain,
        guestUuid: uuid,
        running: runningUuids.has(uuid),
        network: network.name,
        forwardMode: network.forwardMode,
        bridge: network.bridge!,
        subnet: network.ipv4?.subnet ?? '',
        mac,
        staticIp: mapping?.ip ?? null,
        leaseIp: lease?.ip ?? null,
        ipv6: ip6 ? ipv6OfNic(ip6, subnetText(ip6), networkLeases, mac, domain) : null,
      })
    }
  }
  return { nics, networks, running: inventory.running }
}

function domainSummary(xml: string) {
  try {
    return parseDomainSummary(xml)
  } catch {
    return null
  }
}

function networkName(xml: string): string | null {
  try {
    return parseNetworkXml(xml).name
  } catch {
    return null
  }
}

function safeLeases(table: string) {
  try {
    return parseNetDhcpLeases(table)
  } catch {
    return []
  }
}

/** UUIDs of the running guests: whose forwards must be live right now. */
export async function runningGuestUuids(host: HostTarget): Promise<string[]> {
  const [out = ''] = await virshBatch(host, [['list', '--uuid']])
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
}

/** Host services listening (TCP and UDP): a forward on their port would hide them. */
export async function readListeners(host: HostTarget): Promise<SocketListener[]> {
  return parseSsListeners((await run(host, sh`ss -Hlntu`)).stdout)
}

/** An address of the host a forward can be bound to (IPv4 or IPv6), with the interface that has it. */
export type HostAddressOption = { address: string; interface: string; family: IpFamily }

/**
 * The host's own addresses a forward may be bound to: every address of an interface but loopback and link-local
 * ones (a forward's DNAT sees traffic that arrives from outside, from guests or from the host to one of these).
 */
export async function readHostAddresses(host: HostTarget): Promise<HostAddressOption[]> {
  return parseIpAddresses((await run(host, sh`ip -j addr show`)).stdout).flatMap((link) =>
    link.addresses
      .filter((a) => a.scope !== 'host' && a.scope !== 'link')
      .map((a) => ({ address: a.address, interface: link.name, family: a.family })),
  )
}

/**
 * `iptables -S` and `ip6tables -S` of both tables Virtnet uses, in one round trip: a failing iptables fails the read as
 * always; no ip6tables (or none that answers) leaves the IPv6 lists empty.
 */
export async function readIptables(host: HostTarget): Promise<IptablesListing> {
  const out = (
    await run(
      host,
      sh`iptables -w 5 -t nat -S && echo @@ && iptables -w 5 -t filter -S && echo @@ && { { ip6tables -w 5 -t nat -S && echo @@ && ip6tables -w 5 -t filter -S; } 2>/dev/null || true; }`,
    )
  ).stdout
  const [nat = '', filter = '', nat6 = '', filter6 = ''] = out.split('@@\n')
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
  return { nat: lines(nat), filter: lines(filter), nat6: lines(nat6), filter6: lines(filter6) }
}

/** The state file as it is on the host ('' when there is none), so a failed change can put it back. */
export async function readStateFile(host: HostTarget): Promise<string | null> {
  const result = await run(host, sh`cat ${statePath}`, { allowFailure: true })
  return result.exitCode === 0 ? result.stdout : null
}

/** The host's whole nftables ruleset as nft prints it in JSON: what drift and the tests read on nftables hosts. */
export async function readNftRuleset(host: HostTarget): Promise<NftRuleset> {
  return JSON.parse((await run(host, sh`nft -j list ruleset`)).stdout) as NftRuleset
}

export async function readHookStatus(host: HostTarget, backend: FirewallBackend = 'iptables'): Promise<HookStatus> {
  const digest = sh`sha256sum ${hookPaths.qemu} 2>/dev/null; echo @@; sha256sum ${hookPaths.network} 2>/dev/null; echo @@; tail -n 8 ${hookLogPath} 2>/dev/null`
  const [qemu = '', network = '', log = ''] = (await run(host, sh`${digest}; true`)).stdout.split('@@\n')
  const want = hookDigest(hookScript(undefined, backend))
  const state = (line: string) => (!line.trim() ? 'missing' : line.startsWith(want) ? 'current' : 'outdated')
  return { qemu: state(qemu), network: state(network), log: log.split('\n').filter(Boolean) }
}

export const nftablesExplanation =
  "This host's libvirt uses its nftables firewall backend (libvirt 10.4 and later). Virtnet keeps its forwards in its own table ip virtnet (DNAT and hairpin masquerade), plus one chain virtnet_accept in libvirt's table ip libvirt_network and a jump to it at the top of libvirt's guest_input chain: libvirt rejects new traffic into a NAT network there, and no accept in another table can override that. Each change is one nft -f transaction; the hook puts the jump back in front whenever libvirt rebuilds its rules."

/** libvirt's firewall backend on this host: from the last health check, or checked now. */
export async function firewallBackend(row: HostRow, target: HostTarget): Promise<'iptables' | 'nftables' | 'unknown'> {
  const health = healthOf(row)?.libvirtFirewall ? healthOf(row) : await checkHealth(target)
  return health?.libvirtFirewall ?? 'unknown'
}

export type ForwardsPageData = {
  host: HostRow
  forwards: PortForward[]
  nics: ForwardableNic[]
  /** The host addresses the form offers for a forward bound to one address. */
  hostAddresses: HostAddressOption[]
  backend: 'iptables' | 'nftables' | 'unknown'
  hook: HookStatus | null
  drift: Drift | null
  error: string | null
}

/** The host's forward table from the database and, from the host, its guests, hook and drift. */
export async function forwardsPageData(hostId: string): Promise<ForwardsPageData | null> {
  const tab = await readHostTab(hostId, async (target, host) => {
    const backend = await firewallBackend(host, target)
    const nftables = backend === 'nftables'
    const [{ nics }, hook, iptables, ruleset, hostAddresses] = await Promise.all([
      readForwardableNics(target),
      readHookStatus(target, nftables ? 'nftables' : 'iptables'),
      nftables ? null : readIptables(target),
      nftables ? readNftRuleset(target) : null,
      readHostAddresses(target),
    ])
    return { nics, backend, hook, iptables, ruleset, hostAddresses }
  })
  if (!tab) return null
  // The table shows even when the host cannot be read; it is read once readHostTab has authorized the viewer.
  const forwards = await db.portForward.findMany({
    where: { hostId },
    orderBy: [{ protocol: 'asc' }, { hostPortStart: 'asc' }],
  })
  const { host, live, error } = tab
  if (!live) return { host, forwards, nics: [], hostAddresses: [], backend: 'unknown', hook: null, drift: null, error }
  const running = new Set(live.nics.filter((n) => n.running).map((n) => n.guestUuid))
  const table = forwards.map(toRuleInput)
  let drift: Drift
  if (live.ruleset) {
    const desired = desiredNftRules(table, running)
    drift = computeNftDrift(desired, live.ruleset)
  } else {
    drift = computeDrift(desiredRules(table, running), live.iptables ?? { nat: [], filter: [] })
  }
  return {
    host,
    forwards,
    nics: live.nics,
    hostAddresses: live.hostAddresses,
    backend: live.backend,
    hook: live.hook,
    drift,
    error: null,
  }
}

/** The host's forward table as Virtnet keeps it (the API's listing: no host read); null when there is no such host. */
export async function listForwards(hostId: string): Promise<PortForward[] | null> {
  await authorize('viewHosts')
  const host = await db.host.findUnique({ where: { id: hostId }, select: { id: true } })
  if (!host) return null
  return db.portForward.findMany({ where: { hostId }, orderBy: [{ protocol: 'asc' }, { hostPortStart: 'asc' }] })
}

/**
 * A forward's `guest` field ("UUID/network") for a guest named by its name, optionally with "/network" when it has NICs
 * on several NAT networks; a value already in the form's shape is kept. Null when the host has no such guest NIC.
 */
export async function guestNicOf(hostId: string, guest: string): Promise<string | null> {
  if (/^[0-9a-f-]{36}\//.test(guest)) return guest
  const [name, network] = guest.split('/')
  const tab = await readHostTab(hostId, (target) => readForwardableNics(target))
  const nic = tab?.live?.nics.find((n) => n.guestName === name && (!network || n.network === network))
  return nic ? `${nic.guestUuid}/${nic.network}` : null
}
