import { z } from 'zod'
import { isIpv4, parseIpv4Cidr } from '@/lib/addresses/ip-address'

const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')])
  .optional()
  .transform((value) => value === 'on' || value === 'true')

const optionalIpv4 = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined)
  .refine((value) => value === undefined || isIpv4(value), 'Enter an IPv4 address such as 10.1.2.100.')

/** libvirt forbids only "/" in network names; Virtnet also keeps them shell- and file-name-friendly. */
export const networkName = z
  .string()
  .trim()
  .min(1, 'Give the network a name.')
  .max(64, 'Use at most 64 characters.')
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
    'Use letters, digits, ".", "_" and "-", starting with a letter or digit (libvirt names cannot contain "/").',
  )

export const NetworkRefSchema = z.object({ hostId: z.string().min(1).max(64), name: networkName })

export const CreateNatNetworkSchema = z
  .object({
    hostId: z.string().min(1).max(64),
    name: networkName,
    bridge: z
      .string()
      .trim()
      .max(15, 'Linux interface names have at most 15 characters.')
      .regex(/^([a-zA-Z0-9_.-]*)$/, 'Use letters, digits, ".", "_" and "-".')
      .refine(
        (value) => !/^(vnet|macvtap|macvlan)/.test(value),
        'Names starting with vnet or macvtap are reserved for guest interfaces.',
      )
      .optional()
      .transform((value) => value || undefined),
    ipv4Cidr: z
      .string()
      .trim()
      .min(1, 'Enter the IPv4 subnet, e.g. 10.1.2.0/24.')
      .refine(
        (value) => parseIpv4Cidr(value) !== null,
        'Enter a subnet as address/prefix with no host bits set, e.g. 10.1.2.0/24.',
      )
      .refine((value) => {
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
