import 'server-only'

/*
 * Virtnet's one IP address module: every dotted quad, IPv6 text, netmask, prefix and subnet is
 * parsed, compared and formatted here, so that there is one answer to "is this a valid address"
 * and "is it inside that subnet".
 *
 * Addresses are parsed to numbers so that "f0:0d::f0:0d" and "f0:d::f0:d" compare equal, and
 * formatted the way libvirt prints them (glibc inet_ntop, i.e. RFC 5952 compression with embedded
 * IPv4 for ::a.b.c.d and ::ffff:a.b.c.d). bigint holds both families, so IPv4 needs no arithmetic
 * of its own on 32-bit numbers (whose signed bit operators would need `>>> 0` at every step).
 * Only strict dotted-quad IPv4 is accepted: getaddrinfo would also take "10.1" or octal parts,
 * which are far more likely typos than intent.
 */

export type IpFamily = 'ipv4' | 'ipv6'
export type IpValue = { family: IpFamily; value: bigint }
/** A subnet by its network address (no host bits set) and prefix length. */
export type IpSubnet = { network: IpValue; prefix: number }

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const DOTTED_QUAD = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`)

// ---- addresses ----

export function parseIp(text: string): IpValue | null {
  if (isIpv4(text)) return { family: 'ipv4', value: dottedQuadValue(text) }
  const v6 = parseIpv6(text)
  return v6 === null ? null : { family: 'ipv6', value: v6 }
}

export function ipFamilyOf(text: string): IpFamily | null {
  return parseIp(text)?.family ?? null
}

/** Strict dotted quad: four decimal parts 0-255 without leading zeros. */
export function isIpv4(text: string): boolean {
  return DOTTED_QUAD.test(text)
}

/** The address if `text` is IPv4, else null (IPv6 included: IPv4-only settings must refuse it). */
export function parseIpv4(text: string): IpValue | null {
  return isIpv4(text) ? { family: 'ipv4', value: dottedQuadValue(text) } : null
}

/** For text a schema or parser has already checked: a non-IPv4 value here is a bug, not operator input. */
export function requireIpv4(text: string): IpValue {
  const ip = parseIpv4(text)
  if (!ip) throw new Error(`${text} is not an IPv4 address`)
  return ip
}

function dottedQuadValue(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n)
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null
  const halves = text.split('::')
  if (halves.length > 2) return null
  const head = parseIpv6Groups(halves[0] as string)
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1] as string) : []
  if (!head || !tail) return null
  // An embedded IPv4 part may only end the address.
  if (halves.length === 2 && (halves[0] as string).includes('.')) return null
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n)
}

/** The 16-bit groups of one side of "::"; a trailing dotted quad counts as two groups. */
function parseIpv6Groups(part: string): number[] | null {
  if (part === '') return []
  const groups: number[] = []
  const pieces = part.split(':')
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as string
    if (i === pieces.length - 1 && piece.includes('.')) {
      if (!isIpv4(piece)) return null
      const v4 = Number(dottedQuadValue(piece))
      groups.push(Math.floor(v4 / 65536), v4 % 65536)
    } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
      groups.push(Number.parseInt(piece, 16))
    } else {
      return null
    }
  }
  return groups
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

/** The address `by` places further on (negative: back), e.g. a subnet's gateway after its network address. */
export function offsetIp(ip: IpValue, by: number): IpValue {
  return { family: ip.family, value: ip.value + BigInt(by) }
}

// ---- netmasks and prefixes ----

function bits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128
}

export function netmaskOfPrefix(prefix: number, family: IpFamily): bigint {
  const width = BigInt(bits(family))
  return ((1n << width) - 1n) ^ ((1n << (width - BigInt(prefix))) - 1n)
}

/** 255.255.255.0 → 24; null for a non-contiguous or non-IPv4 netmask. */
export function prefixOfNetmask(netmask: string): number | null {
  const ip = parseIpv4(netmask)
  if (!ip) return null
  for (let prefix = 0; prefix <= 32; prefix++) if (netmaskOfPrefix(prefix, 'ipv4') === ip.value) return prefix
  return null
}

/** libvirt's default when an IPv4 <ip> has neither netmask nor prefix: the old class A/B/C size. */
export function classfulPrefix(ipv4: string): number | null {
  const ip = parseIpv4(ipv4)
  if (!ip) return null
  if (ip.value === 0n) return 0
  const first = Number(ip.value >> 24n)
  if ((first & 0x80) === 0) return 8
  if ((first & 0xc0) === 0x80) return 16
  if ((first & 0xe0) === 0xc0) return 24
  return null
}

// ---- subnets ----

export function inSubnet(address: IpValue, network: IpValue, prefix: number): boolean {
  if (address.family !== network.family) return false
  const mask = netmaskOfPrefix(prefix, network.family)
  return (address.value & mask) === (network.value & mask)
}

/** The network address and the last address (for IPv4 the broadcast) of the subnet around `network`. */
export function subnetBounds(network: IpValue, prefix: number): { first: IpValue; last: IpValue } {
  const mask = netmaskOfPrefix(prefix, network.family)
  const all = (1n << BigInt(bits(network.family))) - 1n
  const base = network.value & mask
  return {
    first: { family: network.family, value: base },
    last: { family: network.family, value: base | (all ^ mask) },
  }
}

/** The subnet an interface address belongs to: 192.168.122.1 with prefix 24 → 192.168.122.0/24. */
export function subnetOf(address: IpValue, prefix: number): IpSubnet {
  return { network: subnetBounds(address, prefix).first, prefix }
}

/**
 * "10.1.2.5/24" → that address and prefix, host bits and all; null unless it is IPv4 with a
 * prefix of at most 32. Callers that want a subnet decide how to treat host bits.
 */
export function parseIpv4WithPrefix(text: string): { address: IpValue; prefix: number } | null {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text.trim())
  const address = match ? parseIpv4(match[1] as string) : null
  const prefix = Number(match?.[2])
  return address && prefix <= 32 ? { address, prefix } : null
}

/** "fd00:1::/64" or "10.1.2.0/24" → that address and prefix (either family), host bits and all; null when malformed. */
export function parseIpWithPrefix(text: string): { address: IpValue; prefix: number } | null {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim())
  const address = match ? parseIp(match[1] as string) : null
  const prefix = Number(match?.[2])
  return address && prefix <= bits(address.family) ? { address, prefix } : null
}

/** "10.1.2.0/24" → subnet; null when malformed or when host bits are set (10.1.2.5/24 is an address, not a subnet). */
export function parseIpv4Cidr(text: string): IpSubnet | null {
  const parsed = parseIpv4WithPrefix(text)
  if (!parsed) return null
  const subnet = subnetOf(parsed.address, parsed.prefix)
  return subnet.network.value === parsed.address.value ? subnet : null
}

/** For IPv4, the broadcast address. */
export function broadcastOf(subnet: IpSubnet): IpValue {
  return subnetBounds(subnet.network, subnet.prefix).last
}

export function subnetContains(subnet: IpSubnet, address: IpValue): boolean {
  return inSubnet(address, subnet.network, subnet.prefix)
}

/** Two subnets overlap exactly when the larger one contains the other's network address. */
export function subnetsOverlap(a: IpSubnet, b: IpSubnet): boolean {
  return inSubnet(a.network, b.network, Math.min(a.prefix, b.prefix))
}

export function formatSubnet(subnet: IpSubnet): string {
  return `${formatIp(subnet.network)}/${subnet.prefix}`
}
