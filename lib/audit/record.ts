import 'server-only'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'
import { chainHash, genesisHash, type ChainedFields } from '@/lib/audit/chain'
import { noteFirstSealed, sealKeyForWriting, sealOf, type SealKey } from '@/lib/audit/seal'
import { readCheckpoint, writeCheckpoint } from '@/lib/audit/checkpoint'
import type { CommandRecord } from '@/lib/ssh'
import type { Actor } from '@/lib/core/types'
import { countAuditAppend } from '@/lib/telemetry/metrics'
import { tokenForAudit } from '@/lib/auth/token-scope'

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
  // A request made with an API token is audited like a click, and the record names the token.
  const token = tokenForAudit()
  if (token) input = { ...input, params: withToken(input.params, token) }
  const append = (queue.virtnetAuditQueue ?? Promise.resolve()).catch(() => undefined).then(() => appendToChain(input))
  queue.virtnetAuditQueue = append
  return append
}

function withToken(params: unknown, token: string): unknown {
  if (params && typeof params === 'object' && !Array.isArray(params)) return { ...params, apiToken: token }
  return params === undefined ? { apiToken: token } : { value: params, apiToken: token }
}

async function appendToChain(input: AuditInput): Promise<number> {
  const key = sealKeyForWriting()
  for (let attempt = 1; ; attempt++) {
    const tip = await db.auditEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true, hash: true } })
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
      await advanceTip(key, tip, { id: created.id, hash, at: fields.at.toISOString() })
      return created.id
    } catch (error) {
      const raced = error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
      if (!raced || attempt >= maxAttempts) throw error
    }
  }
}

/**
 * Moves the tip checkpoint to the record just appended, unless the checkpoint is ahead (another process appended
 * after it) or names a record the database no longer has: then the tail was cut (or the checkpoint forged), and the
 * checkpoint stays as it is, so that verification keeps saying which records are missing.
 */
async function advanceTip(
  key: SealKey,
  chainedTo: { id: number; hash: string } | null,
  appended: { id: number; hash: string; at: string },
): Promise<void> {
  const { checkpoint, problem } = readCheckpoint('tip', key.key)
  if (problem) return console.error(`Audit: ${problem}; it is left as it is for verification to report.`)
  if (checkpoint) {
    if (checkpoint.id >= appended.id) return
    const followsIt = checkpoint.id === chainedTo?.id && checkpoint.hash === chainedTo.hash
    if (!followsIt) {
      const anchored = await db.auditEvent.findUnique({ where: { id: checkpoint.id }, select: { hash: true } })
      if (anchored?.hash !== checkpoint.hash)
        return console.error(
          `Audit: the tip checkpoint names record #${checkpoint.id}, which the database no longer has as it was; ` +
            'records were removed from the end of the log. The checkpoint is kept for verification to report.',
        )
    }
  }
  writeCheckpoint('tip', key.key, appended)
}
