import { z } from 'zod'
import { pastedText } from '@/lib/addresses/value-rules'

/** libvirt's filter names: letters, digits and a few marks (the stock ones are such as clean-traffic, allow-dhcp). */
export const nwfilterName = z
  .string({ error: 'Choose a filter.' })
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'Use letters, digits, ".", "_", ":" and "-" (at most 64).')

export const NwfilterEditSchema = z.object({
  hostId: z.string().min(1).max(64),
  name: nwfilterName,
  base: z.string().regex(/^[0-9a-f]{64}$/, 'Reload the editor: this form does not say which definition it edits.'),
  xml: pastedText(1, 'The XML', 'the editor')
    .transform((xml) => xml.trim())
    .pipe(z.string().min(1, 'Paste or edit the filter XML.')),
})
