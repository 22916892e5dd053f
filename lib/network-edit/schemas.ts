import { z } from 'zod'
import { networkName, pastedText } from '@/lib/addresses/value-rules'

export const NetworkEditSchema = z.object({
  hostId: z.string().min(1).max(64),
  name: networkName,
  // the definitionVersion of the definition the editor was opened on
  base: z.string().regex(/^[0-9a-f]{64}$/, 'Reload the editor: this form does not say which definition it edits.'),
  xml: pastedText(1, 'The XML', 'the editor')
    .transform((xml) => xml.trim())
    .pipe(z.string().min(1, 'Paste or edit the network XML.')),
})
