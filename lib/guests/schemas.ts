import { z } from 'zod'
import {
  existingMac,
  guestNameProblem,
  interfaceNameProblem,
  networkName,
  networkNameProblem,
  optionalInterfaceMac,
  requiredText,
} from '@/lib/addresses/value-rules'

const hostId = z.string().min(1).max(64)
const guest = requiredText(guestNameProblem, 'Choose a guest.')

export const AttachSchema = z
  .object({
    hostId,
    guest,
    type: z.enum(['network', 'bridge'], 'Choose a network or a bridge.'),
    source: z.string({ error: 'Choose a source.' }).trim().min(1, 'Choose a source.'),
    model: z.enum(['virtio', 'e1000', 'rtl8139'], 'Choose a model.').default('virtio'),
    mac: optionalInterfaceMac,
  })
  // The source is a network or a bridge by the type chosen beside it, each under the rule of its kind.
  .superRefine((data, ctx) => {
    const problem = data.type === 'network' ? networkNameProblem(data.source) : interfaceNameProblem(data.source)
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['source'] })
  })

export const NicRefSchema = z.object({ hostId, guest, mac: existingMac })

export const ChangeNetworkSchema = NicRefSchema.extend({ network: networkName })
