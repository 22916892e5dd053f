import { z } from 'zod'
import { networkName } from '@/lib/networks/schemas'

const hostId = z.string().min(1).max(64)
const ifname = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_.:-]{1,15}$/, 'Enter an interface name such as enp3s0f0 (at most 15 characters).')
const guest = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_.+-]{1,64}$/, 'Choose a guest.')
const optionalMac = z
  .string()
  .trim()
  .optional()
  .transform((value) => value?.toLowerCase() || undefined)
  .refine(
    (value) => value === undefined || /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(value),
    'Enter a MAC such as 52:54:00:12:34:56, or leave it empty for a generated one.',
  )
  .refine(
    (value) => value === undefined || (Number.parseInt(value.slice(0, 2), 16) & 1) === 0,
    'A guest MAC must be unicast (the first byte even).',
  )
const optionalVlan = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? Number(value) : undefined))
  .refine(
    (value) => value === undefined || (Number.isInteger(value) && value >= 1 && value <= 4094),
    'A VLAN tag is a whole number from 1 to 4094.',
  )

export const SetVfCountSchema = z.object({
  hostId,
  pf: ifname,
  count: z.coerce
    .number({ error: 'Enter a number of VFs.' })
    .int('Enter a whole number.')
    .min(0, 'Enter 0 or more.')
    .max(1024, 'That is more VFs than any device has.'),
})

export const CreatePoolSchema = z.object({
  hostId,
  name: networkName,
  pf: ifname,
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
    target: z.string().trim().min(1, 'Choose a pool or a VF.').max(80),
    mac: optionalMac,
    vlan: optionalVlan,
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
  // target is "pool:<network>" or "vf:<pci address>"
  .refine(
    (data) => /^(pool:[a-zA-Z0-9][a-zA-Z0-9_.-]*|vf:[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$/.test(data.target),
    { message: 'Choose a pool or a VF.', path: ['target'] },
  )
  .refine((data) => !data.profileid || data.target.startsWith('vf:'), {
    message: 'A port profile applies to a pinned VF only.',
    path: ['profileid'],
  })

export const ReleaseSchema = z.object({
  hostId,
  guest,
  mac: z
    .string()
    .trim()
    .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i, 'Missing MAC.'),
})
