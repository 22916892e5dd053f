import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/json'
import { problem } from '@/lib/api/problem'
import { authorize } from '@/lib/auth/authorize'
import { listAuditEvents, parseAuditFilter } from '@/lib/audit/query'

/** One page of the audit log, newest first, filtered as the audit page filters (actor, host, action, result, …). */
export const GET = apiRoute(async ({ request }) => {
  await authorize('viewAudit')
  const checked = parseAuditFilter(Object.fromEntries(request.nextUrl.searchParams))
  if ('problem' in checked) return problem('bad-request', checked.problem)
  const { events, total, pages } = await listAuditEvents(checked.filter)
  return json({
    events: events.map((e) => ({ ...e, params: JSON.parse(e.params), commands: JSON.parse(e.commands) })),
    total,
    pages,
  })
})
