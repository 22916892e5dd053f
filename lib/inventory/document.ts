import 'server-only'
import { parseIp } from '@/lib/addresses/ip-address'
import type { HostHealth } from '@/lib/hosts/health-types'

/*
 * The inventory document: what the dashboard last read from one host, stored as JSON in HostInventory.document. A
 * page that shows the fleet reads this instead of the host; a change never acts on it (it re-reads the host). The
 * version says which shape a stored document has: a document of another version is treated as missing and refreshed.
 */

export const INVENTORY_VERSION = 1

export type InventoryNic = { name: string; physical: boolean; master: string | null; addresses: string[] }
export type InventoryBridge = {
  name: string
  members: string[]
  /** the libvirt network that created this bridge (virbrN of a NAT network) */
  managedBy: string | null
  /** forward mode='bridge' networks over it */
  networks: string[]
  addresses: string[]
}
export type InventoryRange = { start: string; end: string; size: number }
export type InventoryNetwork = {
  name: string
  active: boolean
  autostart: boolean
  /** nat | route | bridge | hostdev | isolated | … */
  forwardMode: string
  bridge: string | null
  ipv4: { gateway: string; subnet: string } | null
  ranges: InventoryRange[]
  /** hostdev pools: the physical function the pool hands out VFs of */
  pf: string | null
}
export type InventoryInterface = {
  type: string
  source: string | null
  mac: string | null
  tap: string | null
  addresses: string[]
}
export type InventoryGuest = { name: string; state: string; interfaces: InventoryInterface[] }
export type InventoryLease = { network: string; mac: string; ip: string; hostname: string | null; expiry: string }
export type InventoryMapping = { network: string; mac: string | null; ip: string | null; name: string | null }
export type InventoryForward = {
  id: string
  protocol: string
  hostPortStart: number
  hostPortEnd: number
  hostAddress: string | null
  guestName: string
  guestIp: string
  guestPortStart: number
  guestPortEnd: number
  ownerId: string | null
  ownerName: string
}
export type InventoryPool = { name: string; pf: string | null; active: boolean; vfs: number; used: number }
export type InventoryPf = { name: string; totalVfs: number; numVfs: number; used: number }

export type InventoryDocument = {
  version: typeof INVENTORY_VERSION
  health: HostHealth
  nics: InventoryNic[]
  bridges: InventoryBridge[]
  networks: InventoryNetwork[]
  guests: InventoryGuest[]
  leases: InventoryLease[]
  mappings: InventoryMapping[]
  forwards: InventoryForward[]
  pools: InventoryPool[]
  pfs: InventoryPf[]
}

/** Addresses from start to end, both included (0 when they are not one family or the end comes first). */
export function rangeSize(start: string, end: string): number {
  const a = parseIp(start)
  const b = parseIp(end)
  if (!a || !b || a.family !== b.family || b.value < a.value) return 0
  return Number(b.value - a.value + 1n)
}

/** A stored document, or null when there is none or it has another version's shape. */
export function parseDocument(version: number, text: string | null): InventoryDocument | null {
  if (!text || version !== INVENTORY_VERSION) return null
  try {
    return JSON.parse(text) as InventoryDocument
  } catch {
    return null
  }
}

/** One row of the search index (InventoryEntry without its id and host). */
export type SearchEntry = { kind: string; value: string; label: string; link: string; guest: string | null }

/** Values are stored lower-case: a MAC or a name is found however it is typed. */
export const searchValue = (text: string) => text.trim().toLowerCase()

/** Every findable value of a document with where it lives: the search index rows of one host. */
export function searchEntries(hostId: string, hostName: string, doc: InventoryDocument): SearchEntry[] {
  const base = `/hosts/${hostId}`
  const at = `on ${hostName}`
  const entries: SearchEntry[] = []
  const add = (kind: string, value: string | null | undefined, label: string, link: string, guest: string | null) => {
    if (value) entries.push({ kind, value: searchValue(value), label, link, guest })
  }
  const ownerOfMac = new Map<string, string>()
  for (const guest of doc.guests)
    for (const nic of guest.interfaces) if (nic.mac) ownerOfMac.set(nic.mac.toLowerCase(), guest.name)
  const guestOf = (mac: string | null) => (mac ? (ownerOfMac.get(mac.toLowerCase()) ?? null) : null)

  for (const network of doc.networks) {
    const link = `${base}/networks/${encodeURIComponent(network.name)}`
    add('network', network.name, `network ${network.name} (${network.forwardMode}) ${at}`, link, null)
    if (network.ipv4) add('network', network.ipv4.gateway, `gateway of ${network.name} ${at}`, link, null)
  }
  for (const bridge of doc.bridges) add('bridge', bridge.name, `bridge ${bridge.name} ${at}`, `${base}/bridges`, null)
  for (const nic of doc.nics) {
    add('nic', nic.name, `interface ${nic.name} ${at}`, `${base}/bridges`, null)
    for (const address of nic.addresses)
      add('nic', address.split('/')[0], `address ${address} of ${nic.name} ${at}`, `${base}/bridges`, null)
  }
  for (const guest of doc.guests) {
    const link = `${base}/guests#guest-${encodeURIComponent(guest.name)}`
    add('guest', guest.name, `guest ${guest.name} (${guest.state}) ${at}`, link, guest.name)
    for (const nic of guest.interfaces) {
      const where = `${guest.name}'s ${nic.type} interface on ${nic.source ?? '?'} ${at}`
      add('interface', nic.mac, `MAC ${nic.mac} — ${where}`, link, guest.name)
      add('interface', nic.tap, `tap ${nic.tap} — ${where}`, link, guest.name)
      for (const ip of nic.addresses) add('interface', ip, `${ip} — ${where}`, link, guest.name)
    }
  }
  for (const lease of doc.leases) {
    const link = `${base}/networks/${encodeURIComponent(lease.network)}/dhcp`
    const owner = guestOf(lease.mac)
    const label = `lease ${lease.ip} ↔ ${lease.mac}${owner ? ` (${owner})` : ''} on ${lease.network} ${at}`
    add('lease', lease.ip, label, link, owner)
    add('lease', lease.mac, label, link, owner)
    add('lease', lease.hostname, label, link, owner)
  }
  for (const mapping of doc.mappings) {
    const link = `${base}/networks/${encodeURIComponent(mapping.network)}/dhcp`
    const owner = guestOf(mapping.mac)
    const label = `static mapping ${mapping.ip ?? ''} ↔ ${mapping.mac ?? mapping.name ?? ''}${owner ? ` (${owner})` : ''} on ${mapping.network} ${at}`
    add('mapping', mapping.ip, label, link, owner)
    add('mapping', mapping.mac, label, link, owner)
    add('mapping', mapping.name, label, link, owner)
  }
  for (const forward of doc.forwards) {
    const ports = (start: number, end: number) => (start === end ? `${start}` : `${start}-${end}`)
    const label = `forward ${forward.protocol} ${forward.hostAddress ?? '*'}:${ports(forward.hostPortStart, forward.hostPortEnd)} → ${forward.guestName} ${forward.guestIp}:${ports(forward.guestPortStart, forward.guestPortEnd)} ${at}`
    const link = `${base}/forwards`
    // A range is found by each of its ports only up to a sane count; its first port always.
    for (let port = forward.hostPortStart; port <= Math.min(forward.hostPortEnd, forward.hostPortStart + 63); port++)
      add('forward', String(port), label, link, forward.guestName)
    add('forward', forward.guestIp, label, link, forward.guestName)
  }
  for (const pool of doc.pools) add('pool', pool.name, `hostdev pool ${pool.name} ${at}`, `${base}/sriov`, null)
  return entries
}
