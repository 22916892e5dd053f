import 'server-only'
import { IPV4_PATTERN_SOURCE } from '@/lib/virt/parse/patterns'

/*
 * IPv4/IPv6 addresses as libvirt handles them: parsed to numbers so that "f0:0d::f0:0d" and
 * "f0:d::f0:d" compare equal, and formatted the way libvirt prints them (glibc inet_ntop,
 * i.e. RFC 5952 compression with embedded IPv4 for ::a.b.c.d and ::ffff:a.b.c.d).
 * Only strict dotted-quad IPv4 is accepted: getaddrinfo would also take "10.1" or octal parts,
 * which are far more likely typos than intent.
 */

export type IpFamily = 'ipv4' | 'ipv6'
export type IpValue = { family: IpFamily; value: bigint }

const IPV4 = new RegExp(`^${IPV4_PATTERN_SOURCE}$`)

export function parseIp(text: string): IpValue | null {
  if (IPV4.test(text)) return { family: 'ipv4', value: ipv4Value(text) }
  const v6 = parseIpv6(text)
  return v6 === null ? null : { family: 'ipv6', value: v6 }
}

export function ipFamilyOf(text: string): IpFamily | null {
  return parseIp(text)?.family ?? null
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null
  const halves = text.split('::')
  if (halves.length > 2) return null
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return []
    const groups: number[] = []
    const pieces = part.split(':')
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as string
      if (i === pieces.length - 1 && piece.includes('.')) {
        if (!IPV4.test(piece)) return null
        const v4 = Number(ipv4Value(piece))
        groups.push(Math.floor(v4 / 65536), v4 % 65536)
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        groups.push(Number.parseInt(piece, 16))
      } else {
        return null
      }
    }
    return groups
  }
  const head = parseGroups(halves[0] as string)
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : []
  if (!head || !tail) return null
  // An embedded IPv4 part may only end the address.
  if (halves.length === 2 && (halves[0] as string).includes('.')) return null
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)
}

export function formatIp(ip: IpValue): string {
  if (ip.family === 'ipv4') return formatIpv4(ip.value)
  const words = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn))
  // Longest run of at least two zero words; the first one wins a tie.
  let best = { base: -1, len: 0 }
  let current = { base: -1, len: 0 }
  words.forEach((w, i) => {
    if (w === 0) {
      current = current.base === -1 ? { base: i, len: 1 } : { base: current.base, len: current.len + 1 }
      if (current.len > best.len) best = current
    } else {
      current = { base: -1, len: 0 }
    }
  })
  if (best.len < 2) best = { base: -1, len: 0 }
  let out = ''
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':'
      continue
    }
    if (i !== 0) out += ':'
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += formatIpv4(ip.value & 0xffffffffn)
      return out
    }
    out += (words[i] as number).toString(16)
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ':'
  return out
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.')
}

/** libvirt's spelling of an address, or null if it is not one. */
export function canonicalIp(text: string): string | null {
  const ip = parseIp(text)
  return ip ? formatIp(ip) : null
}

export function sameIp(a: string, b: string): boolean {
  const x = parseIp(a)
  const y = parseIp(b)
  return x !== null && y !== null && x.family === y.family && x.value === y.value
}

function bits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128
}

export function netmaskOfPrefix(prefix: number, family: IpFamily): bigint {
  const width = BigInt(bits(family))
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(prefix))) - 1n)
}

/** 255.255.255.0 → 24; null for a non-contiguous or non-IPv4 netmask. */
export function prefixOfNetmask(netmask: string): number | null {
  const ip = parseIp(netmask)
  if (!ip || ip.family !== 'ipv4') return null
  for (let prefix = 0; prefix <= 32; prefix++) if (netmaskOfPrefix(prefix, 'ipv4') === ip.value) return prefix
  return null
}

/** libvirt's default when an IPv4 <ip> has neither netmask nor prefix: the old class A/B/C size. */
export function classfulPrefix(ipv4: string): number | null {
  const ip = parseIp(ipv4)
  if (!ip || ip.family !== 'ipv4') return null
  if (ip.value === 0n) return 0
  const first = Number(ip.value >> 24n)
  if ((first & 0x80) === 0) return 8
  if ((first & 0xc0) === 0x80) return 16
  if ((first & 0xe0) === 0xc0) return 24
  return null
}

export function inSubnet(address: IpValue, network: IpValue, prefix: number): boolean {
  if (address.family !== network.family) return false
  const mask = netmaskOfPrefix(prefix, network.family)
  return (address.value & mask) === (network.value & mask)
}

export function subnetBounds(network: IpValue, prefix: number): { first: IpValue; last: IpValue } {
  const mask = netmaskOfPrefix(prefix, network.family)
  const all = (1n << BigInt(bits(network.family))) - 1n
  const base = network.value & mask
  return { first: { family: network.family, value: base }, last: { family: network.family, value: base | (all ^ mask) } }
}
