import { z } from 'zod'

const hostId = z.string().min(1).max(64)
const guest = z.string().trim().min(1).max(200)
const name = z
  .string()
  .trim()
  .min(1, 'Choose a source.')
  .max(64)
  .regex(/^[^/]+$/, 'Names cannot contain "/".')

export const AttachSchema = z.object({
  hostId,
  guest,
  type: z.enum(['network', 'bridge']),
  source: name,
  model: z.enum(['virtio', 'e1000', 'rtl8139']).default('virtio'),
  mac: z
    .string()
    .trim()
    .max(64)
    .optional()
    .transform((v) => v || undefined),
})

export const NicRefSchema = z.object({ hostId, guest, mac: z.string().trim().min(1).max(64) })

export const ChangeNetworkSchema = NicRefSchema.extend({ network: name })
