import { z } from 'zod'
import { networkName } from '@/lib/networks/schemas'

const optional = z
  .string()
  .trim()
  .max(300)
  .optional()
  .transform((v) => v || undefined)

export const DhcpNetworkSchema = z.object({ hostId: z.string().min(1).max(64), network: networkName })

/** Syntax and network checks happen in lib/dhcp/entries.ts (they need the network); here only the shape. */
export const SaveMappingSchema = DhcpNetworkSchema.extend({
  mac: optional,
  id: optional,
  name: optional,
  ip: z.string().trim().max(64),
  originalKey: optional,
})

export const MappingKeySchema = DhcpNetworkSchema.extend({ key: z.string().min(1).max(300) })

export const PinLeaseSchema = DhcpNetworkSchema.extend({ mac: z.string().trim().min(1).max(64) })

export const ImportSchema = DhcpNetworkSchema.extend({
  csv: z.string().max(200_000, 'Paste at most 200 000 characters at once.'),
  intent: z.enum(['preview', 'apply']).default('preview'),
})
