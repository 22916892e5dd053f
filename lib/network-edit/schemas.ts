import { z } from 'zod'
import { networkName } from '@/lib/addresses/value-rules'

export const NetworkEditSchema = z.object({
  hostId: z.string().min(1).max(64),
  name: networkName,
  xml: z
    .string()
    .trim()
    .min(1, 'Paste or edit the network XML.')
    .max(200_000, 'A network definition is not that long (200 000 characters at most).'),
})
