import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { readHostTab } from '@/lib/hosts/host-tab'
import { canonicalMac } from '@/lib/addresses/mac-address'
import { listGuests, macOwners } from '@/lib/guests/read'
import { entryKey, type DhcpEntry } from '@/lib/dhcp/entries'
import { readNetworkDhcpState, type NetworkDhcpState } from '@/lib/dhcp/host-state'
import { desiredEntries } from '@/lib/dhcp/store'

/** Entries on the host (either side) that no desired row covers: edited by hand, shown as drift. */
export function driftOf(state: NetworkDhcpState, desired: DhcpEntry[]): DhcpEntry[] {
  const managed = new Set(desired.map(entryKey))
  const drift = new Map<string, DhcpEntry>()
  for (const entry of [...(state.live?.entries ?? []), ...(state.config?.entries ?? [])])
    if (!managed.has(entryKey(entry))) drift.set(entryKey(entry), entry)
  return [...drift.values()]
}

const entrySignature = (e: DhcpEntry) => `${entryKey(e)}|${e.ip}|${e.name ?? ''}|${e.id ?? ''}`

/** Where each desired entry stands on the host: on both sides, or what is missing (entries are normalized). */
export function hostStatusOf(state: NetworkDhcpState): (entry: DhcpEntry) => string[] {
  const live = state.live && new Set(state.live.entries.map(entrySignature))
  const config = state.config && new Set(state.config.entries.map(entrySignature))
  return (entry) => {
    const missing: string[] = []
    if (live && !live.has(entrySignature(entry))) missing.push('not live')
    if (config && !config.has(entrySignature(entry))) missing.push('not persistent')
    return missing
  }
}

/** The static DHCP page of one network (null when there is no such host). */
export async function dhcpPageData(hostId: string, network: string) {
  return readHostTab(hostId, (target, host) => readDhcpTables(host.id, target, network))
}

/** The page's tables (desired with their host status, drift, leases with owners); callers authorize. */
export async function readDhcpTables(hostId: string, target: HostTarget, network: string) {
  const [desired, state, guests] = await Promise.all([
    desiredEntries(hostId, network),
    readNetworkDhcpState(target, network),
    listGuests(target),
  ])
  const owners = macOwners(guests)
  const hostStatus = hostStatusOf(state)
  const ownerOf = (mac?: string) => (mac ? (owners.get(canonicalMac(mac) ?? mac) ?? null) : null)
  const pinnedMacs = new Set(desired.map((e) => e.mac).filter(Boolean))
  return {
    network: {
      name: state.name,
      active: state.active,
      persistent: state.persistent,
      ips: state.definition.ips.map((ip) => ({ family: ip.family, address: ip.address, prefix: ip.prefix })),
    },
    mappings: desired.map((entry) => ({
      ...entry,
      key: entryKey(entry),
      owner: ownerOf(entry.mac),
      missing: hostStatus(entry),
    })),
    drift: driftOf(state, desired).map((entry) => ({ ...entry, key: entryKey(entry), owner: ownerOf(entry.mac) })),
    leases: state.leases.map((lease) => ({
      ...lease,
      owner: ownerOf(lease.mac),
      pinned: pinnedMacs.has(canonicalMac(lease.mac) ?? lease.mac),
    })),
  }
}
