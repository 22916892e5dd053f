import 'server-only'
import { db } from '@/lib/db/client'
import { findChainBreak, genesisHash, type ChainBreak } from '@/lib/audit/chain'

export type ChainStatus = { ok: boolean; checked: number; broken: ChainBreak | null }

const batchSize = 2000

/** Re-computes every hash from the first record on, in batches so memory stays flat for long histories. */
export async function verifyAuditChain(): Promise<ChainStatus> {
  let previous = genesisHash
  let afterId = 0
  let checked = 0
  for (;;) {
    const batch = await db.auditEvent.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: batchSize })
    if (batch.length === 0) return { ok: true, checked, broken: null }
    const { lastHash, broken } = findChainBreak(batch, previous)
    if (broken) return { ok: false, checked: checked + batch.findIndex((r) => r.id === broken.id), broken }
    checked += batch.length
    previous = lastHash
    afterId = batch[batch.length - 1]!.id
  }
}
