import { z } from 'zod'
import { parseIpv4Cidr } from '@/lib/addresses/ip-address'
import { ipv4Subnet, networkName, optionalIpv4, optionalNewBridgeName } from '@/lib/addresses/value-rules'

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
