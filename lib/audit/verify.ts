import 'server-only'
import { db } from '@/lib/db/client'
import { findChainBreak, genesisHash, type ChainBreak, type SealCheck } from '@/lib/audit/chain'
import { currentSealKey, sealMatches, type SealKey } from '@/lib/audit/seal'
import { readCheckpoint, writeCheckpoint, type Checkpoint } from '@/lib/audit/checkpoint'

/**
 * `keyFingerprint` null: no seal key here, so seals could not be checked (the chain still was), nor the checkpoints.
 * `checked`: the records found intact, `verifiedEarlier` of them on the word of the sealed `verified` checkpoint.
 * `tip`: the tip checkpoint the database was held against (null: none written yet, or no key).
 * `missing`: records cut off the end of the log, in words; `ok` is false then too.
 */
export type ChainStatus = {
  ok: boolean
  checked: number
  verifiedEarlier: number
  broken: ChainBreak | null
  sealed: number
  keyFingerprint: string | null
  tip: Checkpoint | null
  missing: string | null
}

const batchSize = 2000

type Start = { previous: string; afterId: number; checked: number; sealed: number }
const fromGenesis: Start = { previous: genesisHash, afterId: 0, checked: 0, sealed: 0 }

/**
 * Re-computes every hash (and checks every seal) in batches so memory stays flat, and holds the database against the
 * tip checkpoint. `full` (the CLI, the tests) starts at the first record; otherwise (the audit page) it starts after
 * the record the `verified` checkpoint names, once that record is found unchanged. A clean run moves that checkpoint.
 */
export async function verifyAuditChain(options: { full?: boolean } = { full: true }): Promise<ChainStatus> {
  const key = currentSealKey()
  const status: ChainStatus = {
    ok: true,
    checked: 0,
    verifiedEarlier: 0,
    broken: null,
    sealed: 0,
    keyFingerprint: key?.fingerprint ?? null,
    tip: null,
    missing: null,
  }
  const start = options.full || !key ? fromGenesis : await verifiedStart(key, status)
  status.verifiedEarlier = start?.checked ?? 0
  const last = start && (await verifyFrom(start, key, status))
  if (key) await holdAgainstTip(key, status)
  if (start && key && !status.broken && !status.missing) {
    if (last && last.id > start.afterId)
      writeCheckpoint('verified', key.key, {
        id: last.id,
        hash: last.hash,
        at: new Date().toISOString(),
        records: status.checked,
        sealed: status.sealed,
      })
  }
  return { ...status, ok: !status.broken && !status.missing }
}

/** Where the page's check starts: after the `verified` checkpoint's record, if that record is still as verified. */
async function verifiedStart(key: SealKey, status: ChainStatus): Promise<Start | null> {
  const { checkpoint, problem } = readCheckpoint('verified', key.key)
  if (problem) {
    status.broken = { id: 0, reason: problem }
    return null
  }
  if (!checkpoint) return fromGenesis
  const record = await db.auditEvent.findUnique({ where: { id: checkpoint.id }, select: { hash: true } })
  if (record?.hash !== checkpoint.hash) {
    status.broken = {
      id: checkpoint.id,
      reason: record
        ? `it is no longer the record verified at ${checkpoint.at} (its hash changed: it was replaced)`
        : `it was verified at ${checkpoint.at} and is gone from the database`,
    }
    return null
  }
  return {
    previous: checkpoint.hash,
    afterId: checkpoint.id,
    checked: checkpoint.records ?? 0,
    sealed: checkpoint.sealed ?? 0,
  }
}

async function verifyFrom(start: Start, key: SealKey | null, status: ChainStatus) {
  const seals: SealCheck | null = key && {
    matches: (hash, seal) => sealMatches(key.key, hash, seal),
    from: key.sealedFrom,
  }
  let { previous, afterId, checked, sealed } = start
  let last: { id: number; hash: string } | null = null
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { id: { gt: afterId } },
      orderBy: { id: 'asc' },
      take: batchSize,
    })
    if (batch.length === 0) break
    const result = findChainBreak(batch, previous, seals)
    sealed += result.sealed
    if (result.broken) {
      checked += batch.findIndex((r) => r.id === result.broken!.id)
      status.broken = result.broken
      break
    }
    checked += batch.length
    previous = result.lastHash
    last = batch[batch.length - 1]!
    afterId = last.id
  }
  status.checked = checked
  status.sealed = sealed
  return last
}

/** The database must still hold the record the tip checkpoint names, unchanged; otherwise say what is missing. */
async function holdAgainstTip(key: SealKey, status: ChainStatus): Promise<void> {
  const { checkpoint, problem } = readCheckpoint('tip', key.key)
  if (problem) {
    status.missing = `Cannot tell whether records are missing at the end: ${problem}.`
    return
  }
  status.tip = checkpoint
  if (!checkpoint) return
  const anchored = await db.auditEvent.findUnique({ where: { id: checkpoint.id }, select: { hash: true } })
  const said = `the checkpoint says the tip was id ${checkpoint.id}, hash ${checkpoint.hash}`
  if (anchored?.hash === checkpoint.hash) return
  if (anchored) {
    status.missing = `Record #${checkpoint.id} is not the one appended as the tip (${said}): the end of the log was replaced.`
    return
  }
  const before = await db.auditEvent.findFirst({
    where: { id: { lt: checkpoint.id } },
    orderBy: { id: 'desc' },
    select: { id: true },
  })
  const lastId = before?.id ?? 0
  const count = checkpoint.id - lastId
  status.missing = `${count} record${count === 1 ? '' : 's'} missing after id ${lastId} (${said}).`
}
