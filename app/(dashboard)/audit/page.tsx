import type { Metadata } from 'next'
import Link from 'next/link'
import { authorizePage } from '@/lib/auth/authorize-page'
import {
  auditChainStatus,
  auditKeyLocation,
  auditFacets,
  listAuditEvents,
  noAuditFilter,
  parseAuditFilter,
  type AuditFilter,
} from '@/lib/audit/query'
import { initialFormState } from '@/lib/actions/form-state'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { DataTable } from '@/app/ui/data-table'
import { Notice } from '@/app/ui/form-status'
import type { ChainStatus } from '@/lib/audit/verify'
import { AuditRow } from './audit-row'

export const metadata: Metadata = { title: 'Audit log' }

function queryString(
  filter: AuditFilter,
  overrides: Partial<Record<keyof AuditFilter, string | number | undefined>> = {},
) {
  const entries = Object.entries({ ...filter, ...overrides })
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => [key, value instanceof Date ? value.toISOString().slice(0, 16) : String(value)])
  return new URLSearchParams(entries as [string, string][]).toString()
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  await authorizePage('viewAudit')
  const parsed = parseAuditFilter(await searchParams)
  // A filter that cannot be applied lists nothing and says why, rather than listing every record.
  const filter = 'filter' in parsed ? parsed.filter : noAuditFilter
  const [{ events, total, pages }, facets, chain, key] = await Promise.all([
    'filter' in parsed ? listAuditEvents(filter) : { events: [], total: 0, pages: 1 },
    auditFacets(),
    auditChainStatus(),
    auditKeyLocation(),
  ])
  const exportQuery = queryString({ ...filter, page: 1 })

  return (
    <div className="space-y-4">
      <header className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Audit log</h1>
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Every change and every refused request, with the exact host commands. Records are hash-chained and sealed
            with a key kept outside the database.
          </p>
        </div>
        <p
          data-testid="chain-status"
          className={`rounded-md px-3 py-1.5 text-sm ${chain.ok ? 'bg-emerald-50 dark:bg-emerald-950 text-emerald-800 dark:text-emerald-300' : 'bg-red-50 dark:bg-red-950 text-red-800 dark:text-red-300'}`}
          role={chain.ok ? 'status' : 'alert'}
        >
          {chainSummary(chain)}
        </p>
      </header>
      <p data-testid="seal-key" className="text-sm text-slate-600 dark:text-slate-300">
        The seal key is <code>{key.path}</code>. It must not travel with the database or its backups: whoever holds both
        can rewrite the log unnoticed.{' '}
        {key.besideDatabase
          ? `It sits in the database's folder (${key.databaseFolder}), which is fine on one machine: leave it out of the database's backups, or move it with VIRTNET_AUDIT_KEY_FILE.`
          : 'VIRTNET_AUDIT_KEY_FILE says where it is.'}
      </p>
      <form className="card flex flex-wrap items-end gap-3" method="get" aria-label="Filter audit events">
        <FilterSelect name="actor" label="User" value={filter.actor} options={facets.actors} />
        <FilterSelect name="host" label="Host" value={filter.host} options={facets.hosts} />
        <FilterSelect name="action" label="Action" value={filter.action} options={facets.actions} />
        <FilterSelect name="result" label="Result" value={filter.result} options={['success', 'failure', 'refused']} />
        <FilterTime name="from" label="From (UTC)" value={filter.from} />
        <FilterTime name="to" label="To (UTC)" value={filter.to} />
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
      {'problem' in parsed && (
        <Notice tone="error" id="filter-problem">
          This filter cannot be applied, so nothing is listed: {parsed.problem}
        </Notice>
      )}
      <DataTable
        testId="audit-table"
        paged={false}
        columns={['#', 'Time (UTC)', 'User', 'Host', 'Action', 'Target', 'Result', 'Details']}
        empty={events.length === 0 && 'No events match.'}
      >
        {events.map((event) => (
          <AuditRow key={event.id} event={event} />
        ))}
      </DataTable>
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

/** A filter left empty matches any value. */
function FilterSelect({
  name,
  label,
  value,
  options,
}: {
  name: string
  label: string
  value?: string
  options: string[]
}) {
  return (
    <SelectField
      state={initialFormState}
      name={name}
      label={label}
      defaultValue={value ?? ''}
      options={[{ value: '', label: 'Any' }, ...options]}
    />
  )
}

/** A bound of the time filter, shown in UTC to the minute as datetime-local wants it. */
function FilterTime({ name, label, value }: { name: string; label: string; value?: Date }) {
  return (
    <TextField
      state={initialFormState}
      name={name}
      label={label}
      type="datetime-local"
      defaultValue={value?.toISOString().slice(0, 16)}
    />
  )
}

/** The verdict in words: what was checked (and since when), or where the chain breaks and what is missing at its end. */
function chainSummary(chain: ChainStatus): string {
  const problems = [
    chain.broken && `Chain broken at record #${chain.broken.id}: ${chain.broken.reason}.`,
    chain.missing && `Records cut off the end: ${chain.missing}`,
  ].filter(Boolean)
  if (problems.length) return problems.join(' ')
  const earlier = chain.verifiedEarlier
    ? ` (${chain.verifiedEarlier} verified earlier, ${chain.checked - chain.verifiedEarlier} checked now)`
    : ''
  const tip = chain.tip ? `; the end of the log matches the tip checkpoint (#${chain.tip.id})` : ''
  return `Chain verified: ${chain.checked} records intact${earlier}, ${sealNote(chain)}${tip}`
}

/** What the seal check covered: without the key on this machine, only the hashes could be checked. */
function sealNote(chain: ChainStatus): string {
  if (!chain.keyFingerprint) return 'seals not checked (no audit key on this machine)'
  const early = chain.checked - chain.sealed
  return `${chain.sealed} sealed (key ${chain.keyFingerprint})${early ? `, ${early} from before sealing` : ''}`
}
