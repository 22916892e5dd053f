import type { Metadata } from 'next'
import Link from 'next/link'
import { authorizePage } from '@/lib/auth/authorize-page'
import { AuditFilterSchema, auditFacets, listAuditEvents, type AuditFilter } from '@/lib/audit/query'
import { verifyAuditChain } from '@/lib/audit/verify'
import { AuditRow } from './audit-row'

export const metadata: Metadata = { title: 'Audit log' }

function queryString(filter: AuditFilter, overrides: Partial<Record<keyof AuditFilter, string | number | undefined>> = {}) {
  const entries = Object.entries({ ...filter, ...overrides })
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => [key, value instanceof Date ? value.toISOString().slice(0, 16) : String(value)])
  return new URLSearchParams(entries as [string, string][]).toString()
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await authorizePage('viewAudit')
  const filter = AuditFilterSchema.parse(await searchParams)
  const [{ events, total, pages }, facets, chain] = await Promise.all([listAuditEvents(filter), auditFacets(), verifyAuditChain()])
  const exportQuery = queryString({ ...filter, page: 1 })

  return (
    <div className="space-y-4">
      <header className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Audit log</h1>
          <p className="text-sm text-slate-600">Every change and every refused request, with the exact host commands. Records are hash-chained.</p>
        </div>
        <p
          data-testid="chain-status"
          className={`rounded-md px-3 py-1.5 text-sm ${chain.ok ? 'bg-emerald-50 text-emerald-800' : 'bg-red-50 text-red-800'}`}
          role={chain.ok ? 'status' : 'alert'}
        >
          {chain.ok ? `Chain verified: ${chain.checked} records intact` : `Chain broken at record #${chain.broken?.id}: ${chain.broken?.reason}`}
        </p>
      </header>
      <form className="card flex flex-wrap items-end gap-3" method="get" aria-label="Filter audit events">
        <Select name="actor" label="User" value={filter.actor} options={facets.actors} />
        <Select name="host" label="Host" value={filter.host} options={facets.hosts} />
        <Select name="action" label="Action" value={filter.action} options={facets.actions} />
        <Select name="result" label="Result" value={filter.result} options={['success', 'failure', 'refused']} />
        <div>
          <label className="label" htmlFor="from">
            From (UTC)
          </label>
          <input className="input" type="datetime-local" id="from" name="from" defaultValue={filter.from?.toISOString().slice(0, 16)} />
        </div>
        <div>
          <label className="label" htmlFor="to">
            To (UTC)
          </label>
          <input className="input" type="datetime-local" id="to" name="to" defaultValue={filter.to?.toISOString().slice(0, 16)} />
        </div>
        <button className="btn btn-primary">Filter</button>
        <Link className="btn" href="/audit">
          Clear
        </Link>
        <span className="ml-auto flex gap-2">
          <a className="btn" href={`/api/audit/export?format=csv&${exportQuery}`}>
            Export CSV
          </a>
          <a className="btn" href={`/api/audit/export?format=json&${exportQuery}`}>
            Export JSON
          </a>
        </span>
      </form>
      <section className="card overflow-x-auto p-0">
        <table className="table" data-testid="audit-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Time (UTC)</th>
              <th>User</th>
              <th>Host</th>
              <th>Action</th>
              <th>Target</th>
              <th>Result</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {events.length === 0 && (
              <tr>
                <td colSpan={8} className="py-6 text-center text-slate-500">
                  No events match.
                </td>
              </tr>
            )}
            {events.map((event) => (
              <AuditRow key={event.id} event={event} />
            ))}
          </tbody>
        </table>
      </section>
      <nav aria-label="Pages" className="flex items-center justify-between text-sm">
        <span>
          {total} event{total === 1 ? '' : 's'} · page {filter.page} of {pages}
        </span>
        <span className="flex gap-2">
          {filter.page > 1 && (
            <Link className="btn" href={`/audit?${queryString(filter, { page: filter.page - 1 })}`}>
              Newer
            </Link>
          )}
          {filter.page < pages && (
            <Link className="btn" href={`/audit?${queryString(filter, { page: filter.page + 1 })}`}>
              Older
            </Link>
          )}
        </span>
      </nav>
    </div>
  )
}

function Select({ name, label, value, options }: { name: string; label: string; value?: string; options: string[] }) {
  return (
    <div>
      <label className="label" htmlFor={name}>
        {label}
      </label>
      <select className="input" id={name} name={name} defaultValue={value ?? ''}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  )
}
