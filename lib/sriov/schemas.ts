import { z } from 'zod'
import {
  existingMac,
  interfaceName,
  networkName,
  networkNameProblem,
  optionalInterfaceMac,
  optionalWholeNumber,
  requiredText,
  wholeNumber,
} from '@/lib/addresses/value-rules'

const hostId = z.string().min(1).max(64)
const guest = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_.+-]{1,64}$/, 'Choose a guest.')

/** A VF goes to a guest from "pool:<network>" or as the pinned "vf:<PCI address>". */
function assignTargetProblem(target: string): string | null {
  if (/^vf:[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(target)) return null
  const pool = /^pool:(.+)$/.exec(target)?.[1]
  return pool ? networkNameProblem(pool) : 'Choose a pool or a VF.'
}

export const SetVfCountSchema = z.object({
  hostId,
  pf: interfaceName,
  count: wholeNumber({ min: 0, max: 1024 }),
})

export const CreatePoolSchema = z.object({
  hostId,
  name: networkName,
  pf: interfaceName,
  autostart: z
    .union([z.literal('on'), z.literal('')])
    .optional()
    .transform((value) => value === 'on'),
})

export const PoolRefSchema = z.object({ hostId, name: networkName })

export const AssignSchema = z
  .object({
    hostId,
    guest,
    target: requiredText(assignTargetProblem, 'Choose a pool or a VF.'),
    mac: optionalInterfaceMac,
    vlan: optionalWholeNumber({ min: 1, max: 4094 }),
    profileid: z
      .string()
      .trim()
      .optional()
      .transform((value) => value || undefined)
      .refine(
        (value) => value === undefined || /^[A-Za-z0-9_.:-]{1,39}$/.test(value),
        'An 802.1Qbh profile id is at most 39 letters, digits, ".", "_", ":" or "-".',
      ),
  })
  .refine((data) => !data.profileid || data.target.startsWith('vf:'), {
    message: 'A port profile applies to a pinned VF only.',
    path: ['profileid'],
  })

export const ReleaseSchema = z.object({
  hostId,
  guest,
  mac: existingMac,
})
