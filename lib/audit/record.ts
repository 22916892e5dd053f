import 'server-only'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'
import { chainHash, genesisHash, type ChainedFields } from '@/lib/audit/chain'
import { noteFirstSealed, sealKeyForWriting, sealOf } from '@/lib/audit/seal'
import type { CommandRecord } from '@/lib/ssh'
import type { Actor } from '@/lib/core/types'
import { countAuditAppend } from '@/lib/telemetry/metrics'

export type AuditResult = 'success' | 'failure' | 'refused'

export type AuditInput = {
  actor: Actor
  host?: { id: string; name: string } | null
  action: string
  target?: string | null
  params?: unknown
  commands?: CommandRecord[]
  result: AuditResult
  error?: string | null
}

const maxAttempts = 20
// Appends from this process take turns, so they never race each other for the chain's tip.
const queue = globalThis as unknown as { virtnetAuditQueue?: Promise<unknown> }

/**
 * Appends one event to the hash chain. prevHash is unique in the database, so two processes racing for the same
 * position cannot fork the chain: the loser gets a constraint error and retries on the new tip.
 */
export function recordAudit(input: AuditInput): Promise<number> {
  const append = (queue.virtnetAuditQueue ?? Promise.resolve()).catch(() => undefined).then(() => appendToChain(input))
  queue.virtnetAuditQueue = append
  return append
}

async function appendToChain(input: AuditInput): Promise<number> {
  const key = sealKeyForWriting()
  for (let attempt = 1; ; attempt++) {
    const tip = await db.auditEvent.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } })
    const fields: ChainedFields = {
      at: new Date(),
      actorId: input.actor.id,
      actorName: input.actor.username,
      hostId: input.host?.id ?? null,
      hostName: input.host?.name ?? null,
      action: input.action,
      target: input.target ?? null,
      params: JSON.stringify(input.params ?? {}),
      commands: JSON.stringify(input.commands ?? []),
      result: input.result,
      error: input.error ?? null,
      prevHash: tip?.hash ?? genesisHash,
    }
    const hash = chainHash(fields)
    try {
      const created = await db.auditEvent.create({
        data: { ...fields, hash, seal: sealOf(key.key, hash) },
        select: { id: true },
      })
      if (key.sealedFrom === null) noteFirstSealed(created.id)
      countAuditAppend(input.result)
      return created.id
    } catch (error) {
      const raced = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
      if (!raced || attempt >= maxAttempts) throw error
    }
  }
}
