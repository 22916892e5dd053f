import 'server-only'
import { chainHash, type ChainedFields } from '@/lib/audit/chain'
import { sealMatches } from '@/lib/audit/seal'

/*
 * A reviewer holding an export (JSON, any filter) and the seal key can check it without the dashboard: every record's
 * hash is recomputed from its fields and its seal checked under the key, so an edited or invented record shows even
 * when the export is a filtered slice; where ids follow each other, the records must also chain.
 */

export type ExportedRecord = Omit<ChainedFields, 'at' | 'params' | 'commands'> & {
  id: number
  at: string
  params: unknown
  commands: unknown
  hash: string
  seal?: string | null
}

export type ExportCheck = { checked: number; sealed: number; problems: Array<{ id: number; reason: string }> }

export function verifyExport(records: ExportedRecord[], key: Buffer): ExportCheck {
  const problems: ExportCheck['problems'] = []
  let sealed = 0
  records.forEach((record, index) => {
    // The export parses params and commands; they were stored as JSON.stringify output, which round-trips exactly.
    const fields: ChainedFields = {
      ...record,
      at: new Date(record.at),
      params: JSON.stringify(record.params),
      commands: JSON.stringify(record.commands),
    }
    if (chainHash(fields) !== record.hash)
      problems.push({ id: record.id, reason: 'its content does not match its hash (edited)' })
    else if (!record.seal) problems.push({ id: record.id, reason: 'it has no seal' })
    else if (!sealMatches(key, record.hash, record.seal))
      problems.push({ id: record.id, reason: 'its seal does not match this key (forged, or sealed under another key)' })
    else sealed++
    const previous = records[index - 1]
    if (previous && previous.id + 1 === record.id && record.prevHash !== previous.hash)
      problems.push({ id: record.id, reason: 'it does not follow the record before it' })
  })
  return { checked: records.length, sealed, problems }
}
