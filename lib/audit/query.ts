import 'server-only'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import { verifyAuditChain } from '@/lib/audit/verify'
import type { Prisma } from '@/lib/db/generated/client'

export const auditPageSize = 50

export const AuditFilterSchema = z.object({
  actor: z.string().trim().max(100).optional().catch(undefined),
  host: z.string().trim().max(200).optional().catch(undefined),
  action: z.string().trim().max(100).optional().catch(undefined),
  result: z.enum(['success', 'failure', 'refused']).optional().catch(undefined),
  from: z.coerce.date().optional().catch(undefined),
  to: z.coerce.date().optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
})
export type AuditFilter = z.infer<typeof AuditFilterSchema>

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

/** The chain and seal check the audit page shows. */
export async function auditChainStatus() {
  await authorize('viewAudit')
  return verifyAuditChain()
}

/** Distinct values for the filter drop-downs. */
export async function auditFacets() {
  await authorize('viewAudit')
  const [actors, hosts, actions] = await Promise.all([
    db.auditEvent.findMany({ distinct: ['actorName'], select: { actorName: true }, orderBy: { actorName: 'asc' } }),
    db.auditEvent.findMany({
      distinct: ['hostName'],
      select: { hostName: true },
      where: { hostName: { not: null } },
      orderBy: { hostName: 'asc' },
    }),
    db.auditEvent.findMany({ distinct: ['action'], select: { action: true }, orderBy: { action: 'asc' } }),
  ])
  return {
    actors: actors.map((a) => a.actorName),
    hosts: hosts.map((h) => h.hostName).filter((h): h is string => h !== null),
    actions: actions.map((a) => a.action),
  }
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
