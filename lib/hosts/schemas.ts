import { z } from 'zod'
import { hostAddress, portNumber } from '@/lib/addresses/value-rules'

export const HostIdSchema = z.object({ hostId: z.string().min(1).max(64) })

export const AddHostSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Give the host a name.')
    .max(63, 'Use at most 63 characters.')
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'Use letters, digits, dots, dashes and underscores.'),
  address: hostAddress,
  port: portNumber,
  username: z
    .string()
    .trim()
    .min(1, 'Enter the SSH user.')
    .max(32)
    .regex(/^[a-z_][a-z0-9_-]*\$?$/, 'Enter a valid Unix user name.'),
  useSudo: z
    .union([z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')])
    .optional()
    .transform((value) => value === 'on' || value === 'true'),
})

export const ConfirmHostKeySchema = HostIdSchema.extend({
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'That is not a SHA-256 host key fingerprint.'),
})

export const RemoveHostSchema = HostIdSchema.extend({ confirmName: z.string().trim() })

/** Generating the dashboard's new SSH key: nothing to fill in. */
export const GenerateDashboardKeySchema = z.object({})

/** Testing, using or discarding the new key: the fingerprint the admin saw, so another admin's newer key is not used. */
export const DashboardKeySchema = z.object({
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'That is not a SHA-256 key fingerprint.'),
})
