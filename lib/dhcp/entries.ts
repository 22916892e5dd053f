import 'server-only'
import { canonicalIp, formatSubnet, inSubnet, parseIp, subnetBounds } from '@/lib/addresses/ip-address'
import { canonicalMac } from '@/lib/addresses/mac-address'
import { duidProblem, hostNameProblem, ipAddressProblem, macProblem } from '@/lib/addresses/value-rules'
import type { NetworkDefinition, NetworkIp } from '@/lib/libvirt-xml/network-types'

/*
 * A static DHCP host as Virtnet keeps it: IPv4 hosts are identified by MAC, DHCPv6 hosts by DUID (id) or, without
 * one, by name — the same fields libvirt's net-update matches on. The key is what the desired table, the host's
 * table and the diff agree on.
 */
export type DhcpEntry = { family: 'ipv4' | 'ipv6'; mac?: string; id?: string; name?: string; ip: string }

export function entryKey(entry: Pick<DhcpEntry, 'family' | 'mac' | 'id' | 'name'>): string {
  if (entry.family === 'ipv4' && entry.mac) return `mac:${canonicalMac(entry.mac) ?? entry.mac.toLowerCase()}`
  if (entry.id) return `id:${entry.id.toLowerCase()}`
  return `name:${entry.name ?? ''}`
}

export function sameEntry(a: DhcpEntry, b: DhcpEntry): boolean {
  return (
    entryKey(a) === entryKey(b) &&
    (canonicalIp(a.ip) ?? a.ip) === (canonicalIp(b.ip) ?? b.ip) &&
    (a.name ?? '') === (b.name ?? '') &&
    (a.id ?? '').toLowerCase() === (b.id ?? '').toLowerCase()
  )
}

/** Canonical spelling (lower-case MAC, canonical IP), so stored and host entries compare equal. */
export function normalizeEntry(entry: DhcpEntry): DhcpEntry {
  const out: DhcpEntry = { family: entry.family, ip: canonicalIp(entry.ip) ?? entry.ip }
  if (entry.mac) out.mac = canonicalMac(entry.mac) ?? entry.mac
  if (entry.id) out.id = entry.id.toLowerCase()
  if (entry.name) out.name = entry.name
  return out
}

/** The static hosts of a network definition, per <ip> family (libvirt serves DHCP on one <ip> per family). */
export function hostEntries(definition: NetworkDefinition): DhcpEntry[] {
  return definition.ips.flatMap((ip) =>
    (ip.dhcp?.hosts ?? [])
      .filter((h) => h.ip)
      .map((h) =>
        normalizeEntry({
          family: ip.family,
          ip: h.ip!,
          ...(h.mac && { mac: h.mac }),
          ...(h.id && { id: h.id }),
          ...(h.name && { name: h.name }),
        }),
      ),
  )
}

/** The <ip> that carries static hosts of a family: the one with <dhcp>, else the first of that family. */
export function dhcpIpOf(definition: NetworkDefinition, family: 'ipv4' | 'ipv6'): NetworkIp | undefined {
  const ips = definition.ips.filter((ip) => ip.family === family)
  return ips.find((ip) => ip.dhcp) ?? ips[0]
}

export type EntryInput = { mac?: string; id?: string; name?: string; ip: string }
export type FieldErrorMap = Record<string, string[]>

/**
 * Entries an entry must not clash with, indexed by what must stay unique in a network: the host (MAC, DUID or name),
 * the address and the name. Checking one entry then costs the same against ten entries or ten thousand, so a paste
 * of thousands of lines is checked in one pass instead of every line against every other.
 */
export class EntryIndex {
  private readonly byKey = new Map<string, number[]>()
  private readonly byIp = new Map<string, number[]>()
  private readonly byName = new Map<string, number[]>()

  constructor(private readonly entries: readonly DhcpEntry[]) {
    const add = (map: Map<string, number[]>, value: string, position: number) => {
      const positions = map.get(value)
      if (positions) positions.push(position)
      else map.set(value, [position])
    }
    entries.forEach((entry, position) => {
      add(this.byKey, entryKey(entry), position)
      add(this.byIp, entry.ip, position)
      if (entry.name) add(this.byName, entry.name, position)
    })
  }

  /**
   * The entries sharing `entry`'s host, address or name, in their original order; none whose key is `exceptKey`, and
   * not `self` (the very entry being checked, when the index holds it too).
   */
  clashesWith(entry: DhcpEntry, exceptKey?: string, self?: DhcpEntry): DhcpEntry[] {
    const positions = new Set([
      ...(this.byKey.get(entryKey(entry)) ?? []),
      ...(this.byIp.get(entry.ip) ?? []),
      ...((entry.name && this.byName.get(entry.name)) || []),
    ])
    return [...positions]
      .sort((x, y) => x - y)
      .map((position) => this.entries[position]!)
      .filter((other) => other !== self && (exceptKey === undefined || entryKey(other) !== exceptKey))
  }
}

/**
 * Checks one entry against the network and the other entries it must not clash with (`others`: every entry that
 * stays — desired and unmanaged ones on the host — without the entry being replaced; or an index of them, less the
 * entries keyed `exceptKey`, and less `self` when the index holds the very entry being checked, as when a whole
 * edited table is checked). Returns the normalized entry or field errors keyed mac / id / name / ip.
 */
export function validateEntry(
  input: EntryInput,
  definition: NetworkDefinition,
  others: readonly DhcpEntry[] | EntryIndex,
  exceptKey?: string,
  self?: DhcpEntry,
): { entry: DhcpEntry } | { errors: FieldErrorMap } {
  const errors: FieldErrorMap = {}
  const add = (field: string, message: string) => (errors[field] ??= []).push(message)
  const rule = (field: string, problem: string | null) => problem && add(field, problem)
  const mac = input.mac?.trim() || undefined
  const id = input.id?.trim() || undefined
  const name = input.name?.trim() || undefined
  const ipText = input.ip.trim()
  const ip = parseIp(ipText)
  if (!ipText) add('ip', 'Enter the address to pin, e.g. 192.168.122.50.')
  else rule('ip', ipAddressProblem(ipText))
  const family = ip?.family ?? 'ipv4'

  if (family === 'ipv4') {
    if (id) add('id', 'A DUID identifies DHCPv6 clients only; IPv4 hosts are identified by MAC.')
    if (!mac) add('mac', 'Enter the guest interface MAC, e.g. 52:54:00:12:34:56.')
    else rule('mac', macProblem(mac))
  } else {
    if (mac) add('mac', 'libvirt identifies DHCPv6 hosts by DUID or name, not MAC.')
    if (!id && !name) add('id', 'Give the client DUID or a host name for an IPv6 entry.')
    if (id) rule('id', duidProblem(id))
  }
  if (name) rule('name', hostNameProblem(name))

  if (ip) {
    const net = dhcpIpOf(definition, family)
    if (!net)
      add(
        'ip',
        `Network ${definition.name} has no ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address, so it serves no ${family === 'ipv4' ? 'DHCP' : 'DHCPv6'}.`,
      )
    else {
      const gateway = parseIp(net.address)!
      const { first, last } = subnetBounds(gateway, net.prefix)
      const subnet = formatSubnet({ network: first, prefix: net.prefix })
      if (!inSubnet(ip, gateway, net.prefix)) add('ip', `${ipText} is outside the network's subnet ${subnet}.`)
      else if (ip.value === gateway.value) add('ip', `${ipText} is the network's own (gateway) address.`)
      else if (family === 'ipv4' && ip.value === first.value) add('ip', `${ipText} is the subnet's network address.`)
      else if (family === 'ipv4' && ip.value === last.value) add('ip', `${ipText} is the subnet's broadcast address.`)
    }
  }
  if (Object.keys(errors).length) return { errors }

  const entry = normalizeEntry({ family, ip: ipText, ...(mac && { mac }), ...(id && { id }), ...(name && { name }) })
  const key = entryKey(entry)
  const index = others instanceof EntryIndex ? others : new EntryIndex(others)
  for (const other of index.clashesWith(entry, exceptKey, self)) {
    if (entryKey(other) === key)
      add(family === 'ipv4' ? 'mac' : 'id', `${mac ?? id ?? name} already has an entry (${other.ip}).`)
    if (other.ip === entry.ip) add('ip', `${entry.ip} is already pinned to ${other.mac ?? other.id ?? other.name}.`)
    if (entry.name && other.name === entry.name)
      add('name', `The name ${entry.name} is already used by ${other.mac ?? other.id ?? other.ip}.`)
  }
  return Object.keys(errors).length ? { errors } : { entry }
}
