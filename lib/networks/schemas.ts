import { z } from 'zod'
import { parseIpv4Cidr, parseIpWithPrefix } from '@/lib/addresses/ip-address'
import {
  hostNameProblem,
  interfaceNameProblem,
  ipAddressProblem,
  ipv4Subnet,
  networkName,
  optionalInterfaceName,
  optionalIpv4,
  optionalIpv4Subnet,
  optionalIpv6,
  optionalIpv6Subnet,
  optionalNewBridgeName,
  optionalText,
  optionalWholeNumber,
  portgroupNameProblem,
  shortText,
} from '@/lib/addresses/value-rules'
import { directModes, networkKinds } from '@/lib/libvirt-xml/network-kinds'

const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')])
  .optional()
  .transform((value) => value === 'on' || value === 'true')

// The one rule for network names lives with the other value rules; the schemas of other folders used to take it from here.
export { networkName }

export const NetworkRefSchema = z.object({ hostId: z.string().min(1).max(64), name: networkName })

export const CreateNatNetworkSchema = z
  .object({
    hostId: z.string().min(1).max(64),
    name: networkName,
    bridge: optionalNewBridgeName,
    ipv4Cidr: ipv4Subnet.refine((value) => {
      const prefix = parseIpv4Cidr(value)?.prefix ?? 24
      return prefix >= 8 && prefix <= 29
    }, 'Use a prefix between /8 and /29.'),
    dhcpStart: optionalIpv4,
    dhcpEnd: optionalIpv4,
    autostart: checkbox,
    start: checkbox,
  })
  .refine((value) => (value.dhcpStart === undefined) === (value.dhcpEnd === undefined), {
    path: ['dhcpEnd'],
    message: 'Give both ends of the DHCP range, or neither for the default range.',
  })

export const UndefineNetworkSchema = NetworkRefSchema.extend({ confirmName: z.string().trim() })

/** Words of a list typed with commas, blanks or new lines. */
const words = (text: string) => text.split(/[\s,]+/).filter(Boolean)

/** A list field: each word under `problem`, all problems reported on the field. */
function listOf(problem: (word: string) => string | null) {
  return shortText(2000)
    .optional()
    .transform((text, ctx) => {
      const list = words(text ?? '')
      for (const word of list) {
        const message = problem(word)
        if (message) ctx.addIssue({ code: 'custom', message })
      }
      return list
    })
}

/** A field of one entry per non-empty line: each line's words go to `entry`, which reports problems on `ctx`. */
function linesOf<T>(limit: number, entry: (line: string[], ctx: z.RefinementCtx) => T) {
  return shortText(limit)
    .optional()
    .transform((text, ctx) =>
      (text ?? '')
        .split('\n')
        .map((line) => words(line))
        .filter((line) => line.length > 0)
        .map((line) => entry(line, ctx)),
    )
}

/** One line per host name entry: "10.1.2.5 www www.lab" (an address, then its names). */
const dnsHosts = linesOf(4000, ([ip = '', ...names], ctx) => {
  const problem = ipAddressProblem(ip) ?? (names.length ? null : `Give ${ip} at least one host name.`)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
  for (const name of names) {
    const nameProblem = hostNameProblem(name)
    if (nameProblem) ctx.addIssue({ code: 'custom', message: nameProblem })
  }
  return { ip, names }
})

/** One line per portgroup: "name [vlan tags…] [default]", e.g. "web 10" or "trunk 10 20 default". */
const portgroups = linesOf(4000, ([name = '', ...rest], ctx) => {
  const problem = portgroupNameProblem(name)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
  const isDefault = rest.includes('default')
  const vlanTags = rest
    .filter((word) => word !== 'default')
    .map((word) => {
      const tag = /^[0-9]{1,4}$/.test(word) ? Number(word) : NaN
      if (!(tag >= 0 && tag <= 4095))
        ctx.addIssue({
          code: 'custom',
          message: `${name}: "${word}" is not a VLAN tag (0 to 4095) or "default".`,
        })
      return tag
    })
  return { name, vlanTags, isDefault }
})

/**
 * A new network of any kind (lib/libvirt-xml/network-kinds.ts). The form shows the fields of the kind chosen; each
 * field is checked here by its value rule, and planNetworkLayout (lib/networks/network-layout.ts) checks them
 * together and against the host.
 */
export const CreateNetworkSchema = z.object({
  hostId: z.string().min(1).max(64),
  name: networkName,
  kind: z.enum(networkKinds, 'Choose the kind of network.').default('nat'),
  bridge: optionalInterfaceName,
  forwardDev: optionalInterfaceName,
  ipv4Cidr: optionalIpv4Subnet.refine((value) => {
    const prefix = value ? (parseIpv4Cidr(value)?.prefix ?? 24) : 24
    return prefix >= 8 && prefix <= 30
  }, 'Use a prefix between /8 and /30.'),
  dhcpStart: optionalIpv4,
  dhcpEnd: optionalIpv4,
  ipv6Cidr: optionalIpv6Subnet.refine((value) => {
    const prefix = value ? (parseIpWithPrefix(value)?.prefix ?? 64) : 64
    return prefix >= 8 && prefix <= 126
  }, 'Use a prefix between /8 and /126.'),
  dhcp6Start: optionalIpv6,
  dhcp6End: optionalIpv6,
  domain: optionalText(hostNameProblem),
  localOnly: checkbox,
  forwarders: listOf(ipAddressProblem),
  dnsHosts,
  mtu: optionalWholeNumber({ min: 68, max: 65535 }),
  natAddressStart: optionalIpv4,
  natAddressEnd: optionalIpv4,
  natPortStart: optionalWholeNumber({ min: 1, max: 65535 }),
  natPortEnd: optionalWholeNumber({ min: 1, max: 65535 }),
  directMode: z.enum(directModes, 'Choose a macvtap mode.').default('bridge'),
  interfaces: listOf(interfaceNameProblem),
  portgroups,
  autostart: checkbox,
  start: checkbox,
})

export type CreateNetworkInput = z.infer<typeof CreateNetworkSchema>
