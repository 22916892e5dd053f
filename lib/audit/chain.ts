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

/** How seals are checked: `from` is the first id that must carry one (null: none must). */
export type SealCheck = { matches: (hash: string, seal: string) => boolean; from: number | null }

type ChainedRecord = ChainedFields & { id: number; hash: string; seal?: string | null }

function recordBreak(record: ChainedRecord, expectedPrev: string, seals: SealCheck | null): string | null {
  if (record.prevHash !== expectedPrev)
    return 'does not follow the record before it (a record was removed or reordered)'
  if (chainHash(record) !== record.hash) return 'its content no longer matches its hash (it was edited)'
  if (!seals) return null
  if (record.seal)
    return seals.matches(record.hash, record.seal)
      ? null
      : 'its seal does not match (the chain was rewritten without the audit key)'
  return seals.from !== null && record.id >= seals.from
    ? 'it has no seal although sealing was on (its seal was removed)'
    : null
}

/** Checks records in id order; `previous` is the hash the first of them must follow. */
export function findChainBreak(
  records: ChainedRecord[],
  previous: string,
  seals: SealCheck | null = null,
): { lastHash: string; broken: ChainBreak | null; sealed: number } {
  let expectedPrev = previous
  let sealed = 0
  for (const record of records) {
    const reason = recordBreak(record, expectedPrev, seals)
    if (reason) return { lastHash: expectedPrev, broken: { id: record.id, reason }, sealed }
    if (record.seal) sealed++
    expectedPrev = record.hash
  }
  return { lastHash: expectedPrev, broken: null, sealed }
}
