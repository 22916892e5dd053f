import { createHash } from 'node:crypto'

export const genesisHash = '0'.repeat(64)

/** The fields a record's hash covers: everything a reviewer reads, plus the previous record's hash. */
export type ChainedFields = {
  at: Date
  actorId: string | null
  actorName: string
  hostId: string | null
  hostName: string | null
  action: string
  target: string | null
  params: string
  commands: string
  result: string
  error: string | null
  prevHash: string
}

export function chainHash(fields: ChainedFields): string {
  // A fixed field order (not object key order) keeps the hash stable across code changes that reorder properties.
  const canonical = JSON.stringify([
    fields.prevHash,
    fields.at.toISOString(),
    fields.actorId,
    fields.actorName,
    fields.hostId,
    fields.hostName,
    fields.action,
    fields.target,
    fields.params,
    fields.commands,
    fields.result,
    fields.error,
  ])
  return createHash('sha256').update(canonical).digest('hex')
}

export type ChainBreak = { id: number; reason: string }

/** Checks records in id order; `previous` is the hash the first of them must follow. */
export function findChainBreak(
  records: Array<ChainedFields & { id: number; hash: string }>,
  previous: string,
): { lastHash: string; broken: ChainBreak | null } {
  let expectedPrev = previous
  for (const record of records) {
    if (record.prevHash !== expectedPrev) {
      return { lastHash: expectedPrev, broken: { id: record.id, reason: 'does not follow the record before it (a record was removed or reordered)' } }
    }
    if (chainHash(record) !== record.hash) {
      return { lastHash: expectedPrev, broken: { id: record.id, reason: 'its content no longer matches its hash (it was edited)' } }
    }
    expectedPrev = record.hash
  }
  return { lastHash: expectedPrev, broken: null }
}
