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
import { computeDrift, computeNftDrift, type Drift, type NftRuleset } from '@/lib/forwards/drift'

// What the forwards page reads, and the host reads the changes check against; nothing here changes a host or the
// database (that is changes.ts).

/** A guest NIC on a NAT network of the host: what a forward can point at. */
export type ForwardableNic = {
  guestName: string
  guestUuid: string
  running: boolean
  network: string
  bridge: string
  subnet: string
  mac: string
  /** the address of the guest's static DHCP mapping on that network */
  staticIp: string | null
  /** its current lease, to offer as the static address when there is no mapping yet */
  leaseIp: string | null
}

export type HookStatus = {
  qemu: 'missing' | 'current' | 'outdated'
  network: 'missing' | 'current' | 'outdated'
  /** the last lines the hook logged: proof libvirt calls it */
  log: string[]
}

const natNetworks = (networks: NetworkSummary[]) =>
  networks.filter((n) => n.forwardMode === 'nat' && n.active && n.bridge && n.ipv4)

/**
 * Every guest NIC on a running NAT network, with its static mapping and lease, and the UUIDs of the running guests:
 * one round trip (lib/libvirt/inventory.ts).
 */
export async function readForwardableNics(
  host: HostTarget,
): Promise<{ nics: ForwardableNic[]; networks: NetworkSummary[]; running: string[] }> {
  const inventory = await readInventory(host, { leases: true })
  const networks = networksOf(inventory)
  const nat = natNetworks(networks)
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
      const lease = leases.get(network.name)?.find((l) => l.mac.toLowerCase() === mac && l.protocol === 'ipv4')
      nics.push({
        guestName: domain,
        guestUuid: uuid,
        running: runningUuids.has(uuid),
        network: network.name,
        bridge: network.bridge!,
        subnet: network.ipv4!.subnet,
        mac,
        staticIp: mapping?.ip ?? null,
        leaseIp: lease?.ip ?? null,
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

/** An IPv4 address of the host a forward can be bound to, with the interface that has it. */
export type HostAddressOption = { address: string; interface: string }

/**
 * The host's own IPv4 addresses a forward may be bound to: every address of an interface but loopback ones (a
 * forward's DNAT sees traffic that arrives from outside, from guests or from the host to one of these).
 */
export async function readHostAddresses(host: HostTarget): Promise<HostAddressOption[]> {
  return parseIpAddresses((await run(host, sh`ip -j -4 addr show`)).stdout).flatMap((link) =>
    link.addresses
      .filter((a) => a.family === 'ipv4' && a.scope !== 'host')
      .map((a) => ({ address: a.address, interface: link.name })),
  )
}

/** `iptables -S` of both tables Virtnet uses, in one round trip. */
export async function readIptables(host: HostTarget): Promise<{ nat: string[]; filter: string[] }> {
  const out = (await run(host, sh`iptables -w 5 -t nat -S && echo @@filter@@ && iptables -w 5 -t filter -S`)).stdout
  const [nat = '', filter = ''] = out.split('@@filter@@')
  const lines = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
  return { nat: lines(nat), filter: lines(filter) }
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
    drift = computeNftDrift(desired, live.ruleset, desired.length > 0)
  } else {
    const desired = desiredRules(table, running)
    drift = computeDrift(desired, live.iptables ?? { nat: [], filter: [] }, desired.length > 0)
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
