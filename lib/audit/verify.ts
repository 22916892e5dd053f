import 'server-only'
import { db } from '@/lib/db/client'
import { findChainBreak, genesisHash, type ChainBreak, type SealCheck } from '@/lib/audit/chain'
import { currentSealKey, sealMatches } from '@/lib/audit/seal'

/** `keyFingerprint` null: no seal key here, so seals could not be checked (the chain still was). */
export type ChainStatus = {
  ok: boolean
  checked: number
  broken: ChainBreak | null
  sealed: number
  keyFingerprint: string | null
}

const batchSize = 2000

/** Re-computes every hash (and checks every seal) from the first record on, in batches so memory stays flat. */
export async function verifyAuditChain(): Promise<ChainStatus> {
  const key = currentSealKey()
  const seals: SealCheck | null = key && {
    matches: (hash, seal) => sealMatches(key.key, hash, seal),
    from: key.sealedFrom,
  }
  const keyFingerprint = key?.fingerprint ?? null
  let previous = genesisHash
  let afterId = 0
  let checked = 0
  let sealed = 0
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { id: { gt: afterId } },
      orderBy: { id: 'asc' },
      take: batchSize,
    })
    if (batch.length === 0) return { ok: true, checked, broken: null, sealed, keyFingerprint }
    const result = findChainBreak(batch, previous, seals)
    sealed += result.sealed
    if (result.broken) {
      const at = batch.findIndex((r) => r.id === result.broken!.id)
      return { ok: false, checked: checked + at, broken: result.broken, sealed, keyFingerprint }
    }
    checked += batch.length
    previous = result.lastHash
    afterId = batch[batch.length - 1]!.id
  }
}
