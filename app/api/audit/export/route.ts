import { NextResponse } from 'next/server'
import { auditExportFilter, exportAuditEvents } from '@/lib/audit/query'
import { sessionRoute } from '@/lib/auth/session-route'
import { csvRow } from '@/lib/audit/csv'

const columns = [
  'id',
  'at',
  'actorName',
  'hostName',
  'action',
  'target',
  'result',
  'error',
  'params',
  'commands',
  'prevHash',
  'hash',
  'seal',
] as const

type ExportedEvent = ReturnType<typeof exportAuditEvents> extends AsyncGenerator<infer Event> ? Event : never

export const GET = sessionRoute(async (request) => {
  const query = Object.fromEntries(new URL(request.url).searchParams)
  const format = query.format === 'json' ? 'json' : 'csv'
  // Authorize, check the filter and read the first batch before answering: fail with a status code rather than half a
  // file, and refuse a filter that cannot be applied rather than export every record.
  const checked = await auditExportFilter(query)
  if ('problem' in checked) return NextResponse.json({ error: checked.problem }, { status: 400 })
  const events = exportAuditEvents(checked.filter)
  const first = await events.next()
  const encoder = new TextEncoder()
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const stream = new ReadableStream({
    async start(controller) {
      let index = 0
      const emit = (event: ExportedEvent) => {
        if (format === 'csv') {
          controller.enqueue(encoder.encode(csvRow(columns.map((column) => event[column]))))
        } else {
          const record = { ...event, params: JSON.parse(event.params), commands: JSON.parse(event.commands) }
          controller.enqueue(encoder.encode(`${index === 0 ? '' : ',\n'}${JSON.stringify(record)}`))
        }
        index++
      }
      controller.enqueue(encoder.encode(format === 'csv' ? csvRow([...columns]) : '[\n'))
      if (!first.done && first.value) emit(first.value)
      for await (const event of events) emit(event)
      controller.enqueue(encoder.encode(format === 'csv' ? '' : '\n]\n'))
      controller.close()
    },
  })
  return new Response(stream, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="virtnet-audit-${stamp}.${format}"`,
      'cache-control': 'no-store',
    },
  })
})
