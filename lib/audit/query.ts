import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import path from 'node:path'
import { verifyAuditChain } from '@/lib/audit/verify'
import { summarizeUnrecordedRefusals } from '@/lib/audit/refusals'
import { auditKeyPath } from '@/lib/config/paths'
import { databaseFile } from '@/lib/db/url'
import { optionalWholeNumber } from '@/lib/addresses/value-rules'
import type { Prisma } from '@/lib/db/generated/client'

export const auditPageSize = 50

/** A text filter: empty is no filter; longer than any stored value is refused rather than dropped. */
const textFilter = (what: string, max: number) =>
  z
    .string({ error: `Give one ${what} to filter by.` })
    .trim()
    .max(max, `The ${what} filter is longer than any ${what} (at most ${max} characters).`)
    .optional()
    .transform((value) => value || undefined)

const timeFilter = (what: string) =>
  z
    .string({ error: `Give one ${what} time.` })
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined
      const at = new Date(value)
      if (Number.isNaN(at.getTime())) {
        ctx.addIssue({ code: 'custom', message: `The ${what} time is not a date and time such as 2026-11-30T09:30.` })
        return z.NEVER
      }
      return at
    })

/**
 * The audit page's and export's filter, from the query string. A filter that cannot be applied is refused in words
 * (parseAuditFilter): dropping it silently would list, or export, every record while the operator asked for some.
 */
export const AuditFilterSchema = z.object({
  actor: textFilter('user', 100),
  host: textFilter('host', 200),
  action: textFilter('action', 100),
  result: z
    .enum(['success', 'failure', 'refused', ''], 'Filter by the result success, failure or refused.')
    .optional()
    .transform((value) => value || undefined),
  from: timeFilter('from'),
  to: timeFilter('to'),
  page: optionalWholeNumber({ min: 1, max: 100_000 }).transform((page) => page ?? 1),
})
export type AuditFilter = z.infer<typeof AuditFilterSchema>
export const noAuditFilter: AuditFilter = AuditFilterSchema.parse({})

/** The filter, or why it cannot be applied (every problem, in words). */
export function parseAuditFilter(query: Record<string, unknown>): { filter: AuditFilter } | { problem: string } {
  const parsed = AuditFilterSchema.safeParse(query)
  if (parsed.success) return { filter: parsed.data }
  return { problem: parsed.error.issues.map((issue) => issue.message).join(' ') }
}

/** For the export: the filter of a user who may read the audit log (authorized first, then checked). */
export async function auditExportFilter(
  query: Record<string, unknown>,
): Promise<{ filter: AuditFilter } | { problem: string }> {
  await authorize('viewAudit')
  return parseAuditFilter(query)
}

function whereOf(filter: AuditFilter): Prisma.AuditEventWhereInput {
  return {
    ...(filter.actor ? { actorName: filter.actor } : {}),
    ...(filter.host ? { hostName: filter.host } : {}),
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.result ? { result: filter.result } : {}),
    ...(filter.from || filter.to
      ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } }
      : {}),
  }
}

export async function listAuditEvents(filter: AuditFilter) {
  await authorize('viewAudit')
  const where = whereOf(filter)
  const [events, total] = await Promise.all([
    db.auditEvent.findMany({
      where,
      orderBy: { id: 'desc' },
      skip: (filter.page - 1) * auditPageSize,
      take: auditPageSize,
    }),
    db.auditEvent.count({ where }),
  ])
  return { events, total, pages: Math.max(1, Math.ceil(total / auditPageSize)) }
}

/**
 * The chain and seal check the audit page shows: from the sealed `verified` checkpoint on, held against the tip
 * checkpoint. Refusals counted but not yet recorded one by one are summarized first, so the page shows them.
 */
export async function auditChainStatus() {
  await authorize('viewAudit')
  await summarizeUnrecordedRefusals()
  return verifyAuditChain({ full: false })
}

/**
 * Where the seal key is, for the page to say: whoever holds the key and a copy of the database can rewrite the log
 * unnoticed, so the key must not travel with the database's backups. `besideDatabase`: it sits in the database's folder
 * (or below it), where a backup of that folder takes it along.
 */
export async function auditKeyLocation() {
  await authorize('viewAudit')
  const databaseFolder = path.dirname(databaseFile())
  const besideDatabase = !path.relative(databaseFolder, auditKeyPath).startsWith('..')
  return { path: auditKeyPath, besideDatabase, databaseFolder }
}

/**
 * The distinct values of one indexed column, by hopping through its index from each value to the next (one index
 * seek per distinct value) instead of reading every record: the drop-downs cost the same at 100,000 records as at 100.
 */
async function distinctValues(column: 'actorName' | 'hostName' | 'action'): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<Array<{ value: string | null }>>(
    `WITH RECURSIVE next(value) AS (
       SELECT MIN("${column}") FROM "AuditEvent"
       UNION ALL
       SELECT (SELECT MIN("${column}") FROM "AuditEvent" WHERE "${column}" > next.value) FROM next WHERE next.value IS NOT NULL
     )
     SELECT value FROM next WHERE value IS NOT NULL`,
  )
  return rows.map((row) => row.value!)
}

/** Distinct values for the filter drop-downs. */
export async function auditFacets() {
  await authorize('viewAudit')
  const [actors, hosts, actions] = await Promise.all([
    distinctValues('actorName'),
    distinctValues('hostName'),
    distinctValues('action'),
  ])
  return { actors, hosts, actions }
}

/** Every matching event, oldest first, for export. Yields in batches so a long history is not held in memory twice. */
export async function* exportAuditEvents(filter: AuditFilter) {
  await authorize('viewAudit')
  const where = whereOf(filter)
  let afterId = 0
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { AND: [where, { id: { gt: afterId } }] },
      orderBy: { id: 'asc' },
      take: 1000,
    })
    if (batch.length === 0) return
    yield* batch
    afterId = batch[batch.length - 1]!.id
  }
}
