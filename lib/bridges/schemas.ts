import { z } from 'zod'
import {
  interfaceName,
  interfaceNameProblem,
  networkName,
  networkNameProblem,
  newBridgeName,
  optionalWholeNumber,
  requiredText,
} from '@/lib/addresses/value-rules'

const hostId = z.string().min(1).max(64)

/** A guest attaches to "network:<name>" or "bridge:<name>", the name under the rule of its kind. */
function attachTargetProblem(target: string): string | null {
  const [, kind, name = ''] = /^(network|bridge):(.+)$/.exec(target) ?? []
  if (kind === 'network') return networkNameProblem(name)
  if (kind === 'bridge') return interfaceNameProblem(name)
  return 'Choose a network or a bridge.'
}

const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')])
  .optional()
  .transform((value) => value === 'on' || value === 'true')

export const CreateHostBridgeSchema = z.object({
  hostId,
  bridge: newBridgeName,
  nic: interfaceName,
  moveAddresses: checkbox,
  confirmSeconds: optionalWholeNumber({ min: 15, max: 600 }).transform((seconds) => seconds ?? 60),
})

export const BridgeNetworkSchema = z.object({
  hostId,
  name: networkName,
  bridge: interfaceName,
  autostart: checkbox,
  start: checkbox,
})

export const AttachGuestSchema = z.object({
  hostId,
  guest: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_.+-]{1,64}$/, 'Choose a guest.'),
  target: requiredText(attachTargetProblem, 'Choose a network or a bridge.'),
})

export const BridgeSettingsSchema = z
  .object({ hostId, disableBridgeNetfilter: checkbox, mssClamping: checkbox })
  .refine((d) => d.disableBridgeNetfilter || d.mssClamping, {
    message: 'Choose at least one setting.',
    path: ['disableBridgeNetfilter'],
  })
