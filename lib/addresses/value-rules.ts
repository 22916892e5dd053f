import 'server-only'
import { z } from 'zod'
import {
  formatSubnet,
  ipFamilyOf,
  isIpv4,
  parseIp,
  parseIpv4WithPrefix,
  parseIpWithPrefix,
  subnetOf,
} from '@/lib/addresses/ip-address'
import { canonicalMac, interfaceMacProblem, parseMac } from '@/lib/addresses/mac-address'

/*
 * One rule per kind of value an operator types: whole numbers (ports, counts, limits), port ranges, Linux interface
 * names, network names, host names, MAC addresses, IP addresses, IPv4 subnets and DUIDs. Every zod schema and every
 * domain check that takes such a value goes through the predicate or the schema here, so the same value gets the same
 * verdict and the same message in every form, in the CSV import and in the network XML editor.
 *
 * A rule is a `…Problem(text)` function: null when the (trimmed, non-empty) text is fine, else the message, which names
 * the value. The schemas trim, say "Enter …" for an empty required field, and otherwise give the rule's message.
 */

/** How a message names a typed value: quoted, at most 40 characters, control characters shown as "?". */
export function shownValue(text: string): string {
  const characters = [...text.replace(/[\x00-\x1F\x7F-\x9F]/g, '?')]
  return `"${characters.length > 40 ? `${characters.slice(0, 39).join('')}…` : characters.join('')}"`
}

// ---- large pasted texts: the network XML, a CSV ----

const MEGABYTE = 1024 * 1024

/** A size as the message says it: "5.0 MB", "900 KB", "12 bytes". */
export function sizeInWords(bytes: number): string {
  if (bytes >= MEGABYTE) return `${(bytes / MEGABYTE).toFixed(1)} MB`
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`
}

/**
 * A pasted text of at most `megabytes` (UTF-8, as it travels), e.g. "The XML is 5.0 MB; the editor takes at most 1 MB."
 * `what` names the text ("The XML"), `taker` what reads it ("the editor"). The request limit of server actions
 * (next.config.ts) sits well above every such cap, so a text too big reaches the form as this field error, kept.
 */
export function pastedText(megabytes: number, what: string, taker: string) {
  return z.string({ error: `Paste ${what.replace(/^The /, 'the ')} as text.` }).superRefine((text, ctx) => {
    // Cheap bound first: a UTF-8 character is at most 4 bytes, and at least one.
    if (text.length * 4 <= megabytes * MEGABYTE) return
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > megabytes * MEGABYTE)
      ctx.addIssue({
        code: 'custom',
        message: `${what} is ${sizeInWords(bytes)}; ${taker} takes at most ${megabytes} MB.`,
      })
  })
}

/** A short free text (a description, a guest's name as typed) of at most `max` characters, said in words. */
export function shortText(max: number) {
  return z
    .string({ error: 'Enter this as text.' })
    .trim()
    .superRefine((text, ctx) => {
      if (text.length > max)
        ctx.addIssue({ code: 'custom', message: `This is ${text.length} characters long; use at most ${max}.` })
    })
}

type Problem = (text: string) => string | null

/** A required text field under `problem`: trimmed, `empty` when empty or missing. */
export function requiredText(problem: Problem, empty: string) {
  return z
    .string({ error: empty })
    .trim()
    .superRefine((text, ctx) => {
      const message = text === '' ? empty : problem(text)
      if (message) ctx.addIssue({ code: 'custom', message })
    })
}

/** An optional text field under `problem`: trimmed, undefined when empty or missing. */
export function optionalText(problem: Problem) {
  return z
    .string({ error: 'Enter this as text.' })
    .trim()
    .optional()
    .transform((text) => text || undefined)
    .superRefine((text, ctx) => {
      const message = text === undefined ? null : problem(text)
      if (message) ctx.addIssue({ code: 'custom', message })
    })
}

// ---- whole numbers: ports, counts, limits ----

export type WholeNumberRange = { min: number; max: number }
const portNumbers: WholeNumberRange = { min: 1, max: 65535 }

/**
 * Decimal digits only, blanks around them ignored: no sign, exponent, hex, fraction or separator, none of which
 * `Number()` or `z.coerce.number()` would refuse ("1e3", "0x8AE", "2222.0", "+2222"). Null unless inside `range`.
 */
export function parseWholeNumber(text: string, range: WholeNumberRange): number | null {
  const digits = text.trim()
  if (!/^[0-9]+$/.test(digits)) return null
  const value = Number(digits)
  return value >= range.min && value <= range.max ? value : null
}

export function wholeNumberProblem(text: string, range: WholeNumberRange): string | null {
  if (parseWholeNumber(text, range) !== null) return null
  const head = `${shownValue(text.trim())} is not a whole number from ${range.min} to ${range.max}`
  return /^\s*[0-9]+\s*$/.test(text) ? `${head}.` : `${head}; use the digits 0-9 only.`
}

const wholeNumberEmpty = (range: WholeNumberRange) => `Enter a whole number from ${range.min} to ${range.max}.`

/** Form text (or a number, from code that calls an action directly) as text for the whole-number rule. */
const numberText = (input: unknown) =>
  typeof input === 'number' ? String(input) : typeof input === 'string' ? input : ''

/** A required whole number in `range` (ports, counts, limits), parsed to a number. */
export function wholeNumber(range: WholeNumberRange) {
  return z.unknown().transform((input, ctx) => {
    const text = numberText(input).trim()
    const message = text === '' ? wholeNumberEmpty(range) : wholeNumberProblem(text, range)
    if (message) {
      ctx.addIssue({ code: 'custom', message })
      return z.NEVER
    }
    return parseWholeNumber(text, range) as number
  })
}

/** An optional whole number in `range`: undefined when the field is empty or missing. */
export function optionalWholeNumber(range: WholeNumberRange) {
  return z
    .unknown()
    .transform((input, ctx) => {
      const text = numberText(input).trim()
      if (text === '') return undefined
      const message = wholeNumberProblem(text, range)
      if (message) {
        ctx.addIssue({ code: 'custom', message })
        return z.NEVER
      }
      return parseWholeNumber(text, range) as number
    })
    .optional()
}

/** A TCP/UDP port, 1–65535. */
export const portNumber = wholeNumber(portNumbers)

// ---- port ranges ----

export type PortRange = { start: number; end: number }

/** "8080" or "8000-8010" (also "8000:8010"), each end a port under the whole-number rule; null otherwise. */
export function parsePortRange(text: string): PortRange | null {
  const ends = text.trim().split(/\s*[-:]\s*/)
  if (ends.length > 2) return null
  const start = parseWholeNumber(ends[0] as string, portNumbers)
  const end = ends.length === 2 ? parseWholeNumber(ends[1] as string, portNumbers) : start
  if (start === null || end === null || end < start) return null
  return { start, end }
}

export function portRangeProblem(text: string): string | null {
  return parsePortRange(text)
    ? null
    : `${shownValue(text)} is not a port from 1 to 65535 or a range of them such as 8000-8010.`
}

/** A required port or port range, parsed to { start, end }. */
export const portRange = requiredText(
  portRangeProblem,
  'Enter a port from 1 to 65535, or a range such as 8000-8010.',
).transform((text) => parsePortRange(text) as PortRange)

// ---- Linux interface names ----

const IFNAMSIZ = 16

/**
 * The kernel's dev_valid_name (net/core/dev.c): 1 to IFNAMSIZ-1 bytes, not "." or "..", no "/" and no white space;
 * ":" too, which the kernel also refuses and iproute reserves for alias labels. Virtnet also refuses control
 * characters and a leading "-", which every command that takes the name would read as an option.
 */
export function interfaceNameProblem(name: string): string | null {
  const reason =
    new TextEncoder().encode(name).length > IFNAMSIZ - 1
      ? `it is longer than ${IFNAMSIZ - 1} bytes`
      : name === '.' || name === '..'
        ? '"." and ".." are reserved'
        : /[/:\s\p{C}]/u.test(name)
          ? 'it contains "/", ":", white space or a control character'
          : name.startsWith('-')
            ? 'it starts with "-"'
            : null
  return reason && `${shownValue(name)} is not a Linux interface name (${reason}).`
}

export const interfaceName = requiredText(
  interfaceNameProblem,
  'Enter an interface name (at most 15 characters, such as br0 or enp3s0).',
)

export const optionalInterfaceName = optionalText(interfaceNameProblem)

/** libvirt and the kernel name guest interfaces (tap, macvtap) with these prefixes; a bridge Virtnet makes may not. */
const GUEST_INTERFACE_PREFIX = /^(vnet|macvtap|macvlan)/

export function newBridgeNameProblem(name: string): string | null {
  return (
    interfaceNameProblem(name) ??
    (GUEST_INTERFACE_PREFIX.test(name)
      ? `${shownValue(name)} starts like a guest interface (vnet, macvtap, macvlan); choose another bridge name.`
      : null)
  )
}

/** The name of a bridge Virtnet creates (a NAT network's, a host bridge). */
export const newBridgeName = requiredText(newBridgeNameProblem, 'Enter a bridge name (at most 15 characters).')
export const optionalNewBridgeName = optionalText(newBridgeNameProblem)

// ---- network names ----

/** libvirt forbids only "/" in network names; Virtnet also keeps them shell- and file-name-friendly. */
export function networkNameProblem(name: string): string | null {
  if (name.length > 64) return 'Use at most 64 characters.'
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name))
    return 'Use letters, digits, ".", "_" and "-", starting with a letter or digit (libvirt names cannot contain "/").'
  return null
}

export const networkName = requiredText(networkNameProblem, 'Give the network a name.')

/**
 * A network's portgroup, which guests' interfaces name (<source portgroup=…>): libvirt takes any text, Virtnet the
 * network-name characters, so a portgroup name is as safe in a command or a file name as a network's.
 */
export function portgroupNameProblem(name: string): string | null {
  return name.length <= 64 && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)
    ? null
    : `${shownValue(name)} is not a portgroup name: use at most 64 letters, digits, ".", "_" and "-", starting with a letter or digit.`
}

// ---- guests ----

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** A guest's UUID as libvirt prints it (dashes optional when typed, as virsh takes it). */
export const isGuestUuid = (text: string) => UUID.test(text)

/**
 * A guest typed by name or UUID. virsh reads a purely numeric argument as a running guest's id first, so "1" would
 * pick whichever guest runs as domain 1: a guest is never given by a number.
 */
export function guestNameProblem(text: string): string | null {
  if (/^[0-9]+$/.test(text))
    return `${shownValue(text)} is a number, which libvirt reads as a running guest's id; enter the guest's name or UUID.`
  if (text.length > 200) return `${shownValue(text)} is longer than any guest name (at most 200 characters).`
  return /\p{C}/u.test(text) ? `${shownValue(text)} contains a control character; no guest name does.` : null
}

export const guestName = requiredText(guestNameProblem, 'Enter the guest name.')

// ---- host names ----

// RFC 1123 labels, dot-separated, 253 characters in all.
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

export function hostNameProblem(name: string): string | null {
  return HOSTNAME.test(name)
    ? null
    : `${shownValue(name)} is not a host name: use letters, digits and "-" in dot-separated labels of at most 63 characters, not starting or ending with "-".`
}

/**
 * Where to reach a host: an IP address, or a host name. Text that looks like an address (digits and dots only, or
 * with a ":") is held to the address rule, so 10.0.0.256 is a bad address rather than an odd host name.
 */
export function hostAddressProblem(text: string): string | null {
  if (/^[\d.]+$/.test(text)) return ipv4Problem(text)
  if (text.includes(':')) return ipAddressProblem(text)
  return hostNameProblem(text)
}

export const hostAddress = requiredText(hostAddressProblem, 'Enter the host name or IP address.')

// ---- MAC addresses ----

/** The MAC of an interface (a guest NIC, a DHCP host, a VF): see interfaceMacProblem in mac-address.ts. */
export const macProblem = (text: string) => interfaceMacProblem(text, shownValue(text))

/** A MAC typed for a new interface, in libvirt's spelling (lower case, two digits a byte); undefined when empty. */
export const optionalInterfaceMac = optionalText(macProblem).transform((mac) =>
  mac === undefined ? undefined : (canonicalMac(mac) as string),
)

/** A MAC that picks an existing interface: it only has to be a MAC (the interface was there before the rule). */
export const existingMac = requiredText(
  (text) => (parseMac(text) ? null : `${shownValue(text)} is not a MAC address.`),
  'Choose an interface by its MAC address.',
)

// ---- IP addresses and subnets ----

export function ipv4Problem(text: string): string | null {
  return isIpv4(text)
    ? null
    : `${shownValue(text)} is not an IPv4 address (four numbers from 0 to 255, such as 192.168.122.10).`
}

export function ipAddressProblem(text: string): string | null {
  return parseIp(text)
    ? null
    : `${shownValue(text)} is not an IP address (IPv4 such as 192.168.122.10, or IPv6 such as fd00::10).`
}

export const optionalIpv4 = optionalText(ipv4Problem)

/** An IPv4 subnet written address/prefix with no host bits set (10.1.2.5/24 is an address in a subnet, not one). */
export function ipv4SubnetProblem(text: string): string | null {
  const parsed = parseIpv4WithPrefix(text)
  if (!parsed)
    return `${shownValue(text)} is not an IPv4 subnet (address/prefix with no host bits set, such as 10.1.2.0/24).`
  const subnet = subnetOf(parsed.address, parsed.prefix)
  if (subnet.network.value !== parsed.address.value)
    return `${shownValue(text)} has host bits set; the subnet is ${formatSubnet(subnet)}.`
  return null
}

export const ipv4Subnet = requiredText(ipv4SubnetProblem, 'Enter an IPv4 subnet such as 10.1.2.0/24.')

export const optionalIpv4Subnet = optionalText(ipv4SubnetProblem)

/** An IPv6 subnet written address/prefix with no host bits set, such as fd00:1::/64. */
export function ipv6SubnetProblem(text: string): string | null {
  const parsed = parseIpWithPrefix(text)
  if (!parsed || parsed.address.family !== 'ipv6')
    return `${shownValue(text)} is not an IPv6 subnet (address/prefix with no host bits set, such as fd00:1::/64).`
  const subnet = subnetOf(parsed.address, parsed.prefix)
  if (subnet.network.value !== parsed.address.value)
    return `${shownValue(text)} has host bits set; the subnet is ${formatSubnet(subnet)}.`
  return null
}

export const optionalIpv6Subnet = optionalText(ipv6SubnetProblem)

export function ipv6Problem(text: string): string | null {
  return ipFamilyOf(text) === 'ipv6' ? null : `${shownValue(text)} is not an IPv6 address (such as fd00:1::10).`
}

export const optionalIpv6 = optionalText(ipv6Problem)
export const optionalIpAddress = optionalText(ipAddressProblem)

// ---- DHCPv6 client identifiers ----

const DUID = /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2})+$/

export function duidProblem(text: string): string | null {
  return DUID.test(text)
    ? null
    : `${shownValue(text)} is not a DUID (hex bytes separated by ":", such as 00:01:00:01:2c:1f:aa:bb).`
}
