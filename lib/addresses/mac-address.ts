import 'server-only'
import { randomBytes } from 'node:crypto'

/*
 * MAC addresses as libvirt reads them (virMacAddrParse): six ':'-separated hex parts of one or
 * two digits each, case-insensitive. libvirt compares them numerically, so 00:16:3E:77:E2:ED and
 * 0:16:3e:77:e2:ed are the same host.
 */

export function parseMac(text: string): number[] | null {
  const parts = text.split(':')
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return null
  return parts.map((p) => Number.parseInt(p, 16))
}

export function sameMac(a: string, b: string): boolean {
  const x = parseMac(a)
  const y = parseMac(b)
  return x !== null && y !== null && x.every((byte, i) => byte === y[i])
}

/** Lower-case, two digits per byte: how libvirt formats a MAC it generated or normalised. */
export function canonicalMac(text: string): string | null {
  return (
    parseMac(text)
      ?.map((b) => b.toString(16).padStart(2, '0'))
      .join(':') ?? null
  )
}

export function isMulticastMac(text: string): boolean {
  const bytes = parseMac(text)
  return bytes !== null && ((bytes[0] as number) & 1) === 1
}

/**
 * Why `text` cannot be the MAC of an interface (a guest NIC, a DHCP host, a VF), or null when it can: it must be a MAC,
 * unicast (libvirt refuses a multicast one, broadcast included) and not all-zero (dnsmasq and the kernel take
 * 00:00:00:00:00:00 for "no address"). `shown` is how the message names the value.
 */
export function interfaceMacProblem(text: string, shown = text): string | null {
  const bytes = parseMac(text)
  if (!bytes) return `${shown} is not a MAC address (six hex bytes separated by ":", such as 52:54:00:12:34:56).`
  if (((bytes[0] as number) & 1) === 1)
    return `${shown} is a multicast or broadcast MAC; an interface needs a unicast one (first byte even).`
  if (bytes.every((byte) => byte === 0)) return `${shown} is the all-zero MAC, which cannot identify an interface.`
  return null
}

/** A MAC in QEMU/libvirt's own 52:54:00 range that none of `used` (canonical MACs) holds, as libvirt would generate. */
export function unusedQemuMac(used: ReadonlySet<string>): string {
  for (;;) {
    const mac = `52:54:00:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`
    if (!used.has(mac)) return mac
  }
}

/**
 * The MAC inside a DHCPv6 DUID of link-layer kind (RFC 8415: DUID-LL, type 3, and DUID-LLT, type 1, with hardware
 * type 1, Ethernet), in canonical form; null for any other DUID. A guest's DUID usually carries its NIC's MAC.
 */
export function macOfDuid(duid: string | null | undefined): string | null {
  if (!duid || !/^[0-9a-f]{1,2}(:[0-9a-f]{1,2})+$/i.test(duid)) return null
  const bytes = duid.split(':').map((b) => parseInt(b, 16))
  const [kind, hardware] = [bytes[0]! * 256 + bytes[1]!, bytes[2]! * 256 + bytes[3]!]
  const mac = kind === 3 && hardware === 1 ? bytes.slice(4) : kind === 1 && hardware === 1 ? bytes.slice(8) : []
  return mac.length === 6 ? mac.map((b) => b.toString(16).padStart(2, '0')).join(':') : null
}
