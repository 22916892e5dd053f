import { z } from 'zod'
import {
  ipv4Problem,
  ipv4SubnetProblem,
  networkNameProblem,
  optionalIpv4,
  portRange,
  requiredText,
} from '@/lib/addresses/value-rules'

/** Source networks, separated by blanks or commas: each an IPv4 subnet, or one IPv4 address (a /32). */
const sourceCidrs = z
  .string()
  .trim()
  .optional()
  .transform((text, ctx) => {
    const items = (text ?? '').split(/[\s,]+/).filter(Boolean)
    const problems = items.flatMap((item) => (item.includes('/') ? ipv4SubnetProblem(item) : ipv4Problem(item)) ?? [])
    if (problems.length) {
      ctx.addIssue({ code: 'custom', message: problems.join(' ') })
      return z.NEVER
    }
    if (items.length > 16) {
      ctx.addIssue({ code: 'custom', message: 'At most 16 source networks.' })
      return z.NEVER
    }
    return items.map((item) => (item.includes('/') ? item : `${item}/32`))
  })

const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')])
  .optional()
  .transform((value) => value === 'on' || value === 'true')

/** Guest NIC chosen in the form: "UUID/network", the network under the network-name rule. */
function guestNicProblem(value: string): string | null {
  const [, network] = /^[0-9a-f-]{36}\/(.+)$/.exec(value) ?? []
  return network ? networkNameProblem(network) : 'Choose a guest.'
}
const guestNic = requiredText(guestNicProblem, 'Choose a guest.')

export const ForwardFieldsSchema = z.object({
  guest: guestNic,
  protocol: z.enum(['tcp', 'udp'], 'Choose TCP or UDP.'),
  hostPort: portRange,
  guestPort: portRange,
  sourceCidrs,
  description: z.string().trim().max(200, 'Use at most 200 characters.').optional().default(''),
})

export const AddForwardSchema = ForwardFieldsSchema.extend({
  hostId: z.string().min(1).max(64),
  // An IPv4 address of the host, or none for all its addresses.
  hostAddress: optionalIpv4.transform((address) => address ?? null),
  createMapping: checkbox,
})

/** Self-service users name only their guest; its host comes from their assignment. */
export const SelfServiceAddSchema = ForwardFieldsSchema

export const ForwardRefSchema = z.object({ hostId: z.string().min(1).max(64), forwardId: z.string().min(1).max(64) })
export const HostRefSchema = z.object({ hostId: z.string().min(1).max(64) })

export type AddForwardInput = z.infer<typeof AddForwardSchema>
export type SelfServiceAddInput = z.infer<typeof SelfServiceAddSchema>
