import { z } from 'zod'
import {
  ipv4Problem,
  ipv4SubnetProblem,
  ipv6Problem,
  ipv6SubnetProblem,
  networkNameProblem,
  networkName,
  portRange,
  requiredText,
} from '@/lib/addresses/value-rules'
import { canonicalIp, formatSubnet, parseIpWithPrefix, subnetOf, type IpFamily } from '@/lib/addresses/ip-address'

/*
 * A forward is of one address family: the host address it listens on, the allowed sources and the guest address are
 * all IPv4 or all IPv6 (an IPv4 packet is never DNATed to an IPv6 guest). The address fields are read by the
 * family's own value rule once the family is known, so an IPv4 forward gets exactly the IPv4 messages it always got.
 */
const rules = {
  ipv4: { address: ipv4Problem, subnet: ipv4SubnetProblem, host: 32 },
  ipv6: { address: ipv6Problem, subnet: ipv6SubnetProblem, host: 128 },
} as const

/** An address or subnet as ip(6)tables prints it back (IPv6 compressed, lower case), so drift compares as text. */
const canonicalCidr = (item: string, family: IpFamily) => {
  const cidr = item.includes('/') ? item : `${item}/${rules[family].host}`
  const parsed = parseIpWithPrefix(cidr)
  return family === 'ipv6' && parsed ? formatSubnet(subnetOf(parsed.address, parsed.prefix)) : cidr
}

/** Source networks, separated by blanks or commas: each a subnet, or one address (a /32 or /128). */
const sourceList = z
  .string()
  .trim()
  .optional()
  .transform((text) => (text ?? '').split(/[\s,]+/).filter(Boolean))

const optionalAddress = z
  .string()
  .trim()
  .optional()
  .transform((text) => text || null)

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

const fields = {
  guest: guestNic,
  /** IPv4 unless asked for: the form always says, an API client or script may leave it out. */
  family: z.enum(['ipv4', 'ipv6'], 'Choose IPv4 or IPv6.').optional().default('ipv4'),
  protocol: z.enum(['tcp', 'udp'], 'Choose TCP or UDP.'),
  hostPort: portRange,
  guestPort: portRange,
  sourceCidrs: sourceList,
  description: z.string().trim().max(200, 'Use at most 200 characters.').optional().default(''),
}

type AddressFields = { family: IpFamily; sourceCidrs: string[]; hostAddress?: string | null }

const sourcesProblem = ({ family, sourceCidrs }: AddressFields) => {
  const rule = rules[family]
  const problems = sourceCidrs.flatMap((item) => (item.includes('/') ? rule.subnet(item) : rule.address(item)) ?? [])
  if (problems.length) return problems.join(' ')
  return sourceCidrs.length > 16 ? 'At most 16 source networks.' : null
}
const hostAddressProblem = ({ family, hostAddress }: AddressFields) =>
  hostAddress ? rules[family].address(hostAddress) : null

/*
 * The address fields read by the forward's family. Each check runs once the family and that field have parsed, even
 * when another field is wrong, so a form shows every field's problem at once.
 */
function byFamily<S extends z.ZodType<AddressFields>>(schema: S) {
  const parsed = (field: keyof AddressFields) => (payload: { value: unknown }) => {
    const value = payload.value as Partial<AddressFields> | undefined
    return (value?.family === 'ipv4' || value?.family === 'ipv6') && value[field] !== undefined
  }
  const message = (problem: (data: AddressFields) => string | null) => (issue: { input: unknown }) =>
    problem(issue.input as AddressFields) ?? undefined
  return schema
    .refine((data) => !sourcesProblem(data), {
      path: ['sourceCidrs'],
      when: parsed('sourceCidrs'),
      error: message(sourcesProblem),
    })
    .refine((data) => !hostAddressProblem(data), {
      path: ['hostAddress'],
      when: parsed('hostAddress'),
      error: message(hostAddressProblem),
    })
    .transform((data) => {
      // As the rules print them, so drift compares as text.
      const sourceCidrs = data.sourceCidrs.map((item) => canonicalCidr(item, data.family))
      return data.hostAddress
        ? { ...data, sourceCidrs, hostAddress: canonicalIp(data.hostAddress) ?? data.hostAddress }
        : { ...data, sourceCidrs }
    })
}

export const ForwardFieldsSchema = byFamily(z.object(fields))

export const AddForwardSchema = byFamily(
  z.object({
    ...fields,
    hostId: z.string().min(1).max(64),
    // An address of the host (of the forward's family), or none for all its addresses.
    hostAddress: optionalAddress,
    createMapping: checkbox,
  }),
)

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
const itemFields = { ...fields, guest: undefined, network: networkName.optional() }
export const SelfServiceForwardItemSchema = byFamily(z.object(itemFields).omit({ guest: true }))
export const ForwardItemSchema = byFamily(
  z
    .object({ ...itemFields, hostAddress: optionalAddress, createMapping: z.boolean().optional().default(false) })
    .omit({ guest: true }),
)

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
