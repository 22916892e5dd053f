import { z } from 'zod'
import { existingMac, networkName, pastedText, shortText } from '@/lib/addresses/value-rules'

const optional = shortText(300)
  .optional()
  .transform((v) => v || undefined)

export const DhcpNetworkSchema = z.object({ hostId: z.string().min(1).max(64), network: networkName })

/**
 * The value rules (lib/addresses/value-rules.ts) and the network checks run in validateEntry (lib/dhcp/entries.ts), the
 * same for this form and the CSV import: which rule applies depends on the address family. Here only the shape.
 */
export const SaveMappingSchema = DhcpNetworkSchema.extend({
  mac: optional,
  id: optional,
  name: optional,
  ip: shortText(64),
  originalKey: optional,
})

export const MappingKeySchema = DhcpNetworkSchema.extend({ key: z.string().min(1).max(300) })

export const PinLeaseSchema = DhcpNetworkSchema.extend({ mac: existingMac })

export const ImportSchema = DhcpNetworkSchema.extend({
  csv: pastedText(1, 'The CSV', 'the import'),
})

/** The network's whole static table as CSV (a declarative PUT): empty is an empty table. */
export const TableSchema = DhcpNetworkSchema.extend({
  csv: pastedText(1, 'The CSV', 'the table'),
})
