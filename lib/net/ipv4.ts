/** IPv4 arithmetic on 32-bit unsigned numbers; enough for subnets, ranges and overlap checks. */

const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const addressPattern = new RegExp(`^${octet}(\\.${octet}){3}$`)

export type Ipv4Subnet = { network: number; prefix: number }

export function isIpv4(text: string): boolean {
  return addressPattern.test(text)
}

export function ipv4ToNumber(text: string): number {
  if (!isIpv4(text)) throw new Error(`${text} is not an IPv4 address`)
  return text.split('.').reduce((value, part) => value * 256 + Number(part), 0)
}

export function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

export function netmaskToPrefix(netmask: string): number {
  const value = ipv4ToNumber(netmask)
  const prefix = 32 - Math.log2((~value >>> 0) + 1)
  if (!Number.isInteger(prefix) || prefixMask(prefix) !== value) throw new Error(`${netmask} is not a contiguous netmask`)
  return prefix
}

/** "10.1.2.0/24" → subnet; null when malformed or when host bits are set (10.1.2.5/24 is an address, not a subnet). */
export function parseIpv4Cidr(text: string): Ipv4Subnet | null {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim())
  if (!match || !isIpv4(match[1]!)) return null
  const prefix = Number(match[2])
  if (prefix > 32) return null
  const address = ipv4ToNumber(match[1]!)
  if ((address & prefixMask(prefix)) >>> 0 !== address) return null
  return { network: address, prefix }
}

export function subnetOf(address: string, prefix: number): Ipv4Subnet {
  return { network: (ipv4ToNumber(address) & prefixMask(prefix)) >>> 0, prefix }
}

export function broadcastOf(subnet: Ipv4Subnet): number {
  return (subnet.network | (~prefixMask(subnet.prefix) >>> 0)) >>> 0
}

export function subnetContains(subnet: Ipv4Subnet, address: number): boolean {
  return (address & prefixMask(subnet.prefix)) >>> 0 === subnet.network
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  const prefix = Math.min(a.prefix, b.prefix)
  return (a.network & prefixMask(prefix)) >>> 0 === (b.network & prefixMask(prefix)) >>> 0
}

export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${numberToIpv4(subnet.network)}/${subnet.prefix}`
}
