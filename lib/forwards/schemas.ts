import { z } from 'zod'
import {
  ipv4Problem,
  ipv4SubnetProblem,
  networkNameProblem,
  optionalIpv4,
  networkName,
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

/**
 * One forward of a guest's whole list, as JSON (the API's PUT): the form's fields, the guest's NIC named by its
 * network (needed only when the guest has several on NAT networks); ports may be numbers, sources a list.
 */
export const SelfServiceForwardItemSchema = ForwardFieldsSchema.omit({ guest: true }).extend({
  network: networkName.optional(),
})
export const ForwardItemSchema = SelfServiceForwardItemSchema.extend({
  hostAddress: AddForwardSchema.shape.hostAddress,
  createMapping: z.boolean().optional().default(false),
})

/** JSON numbers for ports and a list of sources, as a script writes them, read as the form's text. */
const asFormText = (raw: unknown) => {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw
  const item = { ...(raw as Record<string, unknown>) }
  for (const field of ['hostPort', 'guestPort']) if (typeof item[field] === 'number') item[field] = String(item[field])
  if (Array.isArray(item.sourceCidrs)) item.sourceCidrs = item.sourceCidrs.join(',')
  return item
}

/** The most forwards one guest's list may hold. */
export const maxGuestForwards = 500

/**
 * The list travels as one form field of JSON text (the form's FormData, as the API posts it): each item is checked by
 * `item`, its problems named by its place ("Forward 2: hostPort: …"), all of them at once.
 */
function forwardList<T extends z.ZodType>(item: T) {
  return z
    .string()
    .max(1024 * 1024, 'The forward list is larger than 1 MB.')
    .transform((text, ctx) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = null
      }
      if (!Array.isArray(parsed)) {
        ctx.addIssue({ code: 'custom', message: 'Give the forwards as a JSON list: [{"protocol": "tcp", …}].' })
        return z.NEVER
      }
      if (parsed.length > maxGuestForwards) {
        ctx.addIssue({ code: 'custom', message: `A guest may have at most ${maxGuestForwards} forwards in one list.` })
        return z.NEVER
      }
      const items: Array<z.output<T>> = []
      parsed.forEach((raw, index) => {
        const checked = item.safeParse(asFormText(raw))
        if (checked.success) items.push(checked.data)
        else
          for (const issue of checked.error.issues)
            ctx.addIssue({
              code: 'custom',
              message: `Forward ${index + 1}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
            })
      })
      return items
    })
}

const guestUuid = z.string().regex(/^[0-9a-f-]{36}$/, 'Choose a guest.')

/** A guest's whole forward list (administrators and operators). */
export const SetGuestForwardsSchema = z.object({
  hostId: z.string().min(1).max(64),
  guest: guestUuid,
  forwards: forwardList(ForwardItemSchema),
})

/** A self-service user's whole list for one of their guests (its host comes from their assignment). */
export const SetMyGuestForwardsSchema = z.object({
  guest: guestUuid,
  forwards: forwardList(SelfServiceForwardItemSchema),
})
export type SetMyGuestForwardsInput = z.infer<typeof SetMyGuestForwardsSchema>
