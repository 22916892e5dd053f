import 'server-only'
import { createHash } from 'node:crypto'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'

/*
 * Idempotency-Key on POST: the first request with a key claims it (a row with status 0) before it runs, so a retry
 * racing the first cannot run twice; its answer is stored when it ends. The same key with the same request answers
 * that stored answer again; with another request it is refused (422); while the first still runs, 409.
 */

/** How long a key is remembered. */
export const idempotencyKeepMs = 24 * 60 * 60 * 1000

export type StoredAnswer = { status: number; body: string; contentType: string }

export type IdempotencyClaim =
  { kind: 'first' } | { kind: 'replay'; answer: StoredAnswer } | { kind: 'different-request' } | { kind: 'in-progress' }

export const requestHashOf = (method: string, path: string, body: string) =>
  createHash('sha256').update(`${method}\n${path}\n${body}`).digest('hex')

export async function claimIdempotencyKey(
  tokenId: string,
  key: string,
  requestHash: string,
): Promise<IdempotencyClaim> {
  await db.apiIdempotency.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - idempotencyKeepMs) } } })
  try {
    await db.apiIdempotency.create({ data: { tokenId, key, requestHash, status: 0, body: '' } })
    return { kind: 'first' }
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error
  }
  const row = await db.apiIdempotency.findUnique({ where: { tokenId_key: { tokenId, key } } })
  if (!row) return claimIdempotencyKey(tokenId, key, requestHash)
  if (row.requestHash !== requestHash) return { kind: 'different-request' }
  if (row.status === 0) return { kind: 'in-progress' }
  const { contentType, body } = JSON.parse(row.body) as { contentType: string; body: string }
  return { kind: 'replay', answer: { status: row.status, body, contentType } }
}

export async function storeIdempotentAnswer(tokenId: string, key: string, answer: StoredAnswer): Promise<void> {
  await db.apiIdempotency.update({
    where: { tokenId_key: { tokenId, key } },
    data: { status: answer.status, body: JSON.stringify({ contentType: answer.contentType, body: answer.body }) },
  })
}

/** The first request ended without an answer worth repeating (it threw): the key is free again. */
export async function releaseIdempotencyKey(tokenId: string, key: string): Promise<void> {
  await db.apiIdempotency.deleteMany({ where: { tokenId, key, status: 0 } })
}
