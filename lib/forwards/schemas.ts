import { z } from 'zod'
import { isIpv4, parseIpv4Cidr } from '@/lib/addresses/ip-address'
import { parsePortRange } from '@/lib/forwards/validate'

const portRange = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what} port.`)
    .transform((text, ctx) => {
      const range = parsePortRange(text)
      if (!range) {
        ctx.addIssue({ code: 'custom', message: `Enter a ${what} port from 1 to 65535, or a range such as 8000-8010.` })
        return z.NEVER
      }
      return range
    })

const sourceCidrs = z
  .string()
  .trim()
  .optional()
  .transform((text, ctx) => {
    const items = (text ?? '').split(/[\s,]+/).filter(Boolean)
    const bad = items.filter((item) => !(parseIpv4Cidr(item) || isIpv4(item)))
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `Not an IPv4 network: ${bad.join(', ')} (use e.g. 203.0.113.0/24).` })
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

/** Guest NIC chosen in the form: "UUID/network". */
const guestNic = z
  .string()
  .trim()
  .regex(/^[0-9a-f-]{36}\/[A-Za-z0-9_.-]{1,64}$/, 'Choose a guest.')

export const ForwardFieldsSchema = z.object({
  guest: guestNic,
  protocol: z.enum(['tcp', 'udp'], 'Choose TCP or UDP.'),
  hostPort: portRange('host'),
  guestPort: portRange('guest'),
  sourceCidrs,
  description: z.string().trim().max(200, 'Use at most 200 characters.').optional().default(''),
})

export const AddForwardSchema = ForwardFieldsSchema.extend({
  hostId: z.string().min(1).max(64),
  hostAddress: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || null)
    .refine((v) => v === null || isIpv4(v), 'Enter an IPv4 address of the host, or leave empty for all its addresses.'),
  createMapping: checkbox,
})

/** Self-service users name only their guest; its host comes from their assignment. */
export const SelfServiceAddSchema = ForwardFieldsSchema

export const ForwardRefSchema = z.object({ hostId: z.string().min(1).max(64), forwardId: z.string().min(1).max(64) })
export const HostRefSchema = z.object({ hostId: z.string().min(1).max(64) })

export type AddForwardInput = z.infer<typeof AddForwardSchema>
