import { z } from 'zod'
import { networkName } from '@/lib/networks/schemas'

const hostId = z.string().min(1).max(64)
export const ifname = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_.-]{1,15}$/, 'Use at most 15 letters, digits, ".", "_" or "-" (a Linux interface name).')
const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')])
  .optional()
  .transform((value) => value === 'on' || value === 'true')

export const CreateHostBridgeSchema = z.object({
  hostId,
  bridge: ifname,
  nic: ifname,
  moveAddresses: checkbox,
  confirmSeconds: z.coerce
    .number({ error: 'Enter seconds.' })
    .int('Enter whole seconds.')
    .min(15, 'Allow at least 15 seconds.')
    .max(600, 'At most 600 seconds (10 minutes).')
    .default(60),
})

export const BridgeNetworkSchema = z.object({
  hostId,
  name: networkName,
  bridge: ifname,
  autostart: checkbox,
  start: checkbox,
})

export const AttachGuestSchema = z.object({
  hostId,
  guest: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_.+-]{1,64}$/, 'Choose a guest.'),
  // "network:<name>" or "bridge:<name>"
  target: z
    .string()
    .trim()
    .regex(/^(network:[a-zA-Z0-9][a-zA-Z0-9_.-]*|bridge:[a-zA-Z0-9_.-]{1,15})$/, 'Choose a network or a bridge.'),
})

export const BridgeSettingsSchema = z
  .object({ hostId, disableBridgeNetfilter: checkbox, mssClamping: checkbox })
  .refine((d) => d.disableBridgeNetfilter || d.mssClamping, {
    message: 'Choose at least one setting.',
    path: ['disableBridgeNetfilter'],
  })
