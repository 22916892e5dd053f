import type { Metadata } from 'next'
import Link from 'next/link'
import { nwfiltersPageData } from '@/lib/nwfilters/read'
import { DataTable } from '@/app/ui/data-table'
import { HostPageLayout, loadHostPage } from '../host-page'

export const metadata: Metadata = { title: 'Network filters' }

export default async function FiltersPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { data } = await loadHostPage(params, nwfiltersPageData)
  const { host, live, error } = data
  return (
    <HostPageLayout host={host} current="filters" error={error}>
      {live && (
        <DataTable
          testId="filters-table"
          columns={['Name', 'Guest interfaces using it', 'Included by']}
          empty={live.filters.length === 0 && 'This host has no network filters.'}
        >
          {live.filters.map((filter) => (
            <tr key={filter.uuid}>
              <td>
                <Link
                  href={`/hosts/${host.id}/filters/${encodeURIComponent(filter.name)}`}
                  className="font-medium text-sky-800 dark:text-sky-300 hover:underline"
                >
                  {filter.name}
                </Link>
              </td>
              <td className="font-mono text-xs">{filter.interfaces.join(', ') || '—'}</td>
              <td className="text-xs">{filter.includedBy.join(', ') || '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </HostPageLayout>
  )
}
