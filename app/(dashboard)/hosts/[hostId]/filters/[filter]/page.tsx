import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { decodeRouteParam } from '@/lib/core/route-params'
import { allows } from '@/lib/auth/authorize'
import { nwfilterEditPageData } from '@/lib/nwfilters/read'
import { FilterEditForm } from './edit-form'
import { HostPageLayout, loadHostPage } from '../../host-page'

export const metadata: Metadata = { title: 'Network filter' }

export default async function FilterPage({ params }: { params: Promise<{ hostId: string; filter: string }> }) {
  const { filter: encoded } = await params
  const name = decodeRouteParam(encoded) ?? notFound()
  const { user, data } = await loadHostPage(params, (hostId) => nwfilterEditPageData(hostId, name))
  const { host, live, error } = data
  return (
    <HostPageLayout host={host} current="filters" error={error}>
      <h2 className="text-lg font-semibold">Network filter {name}</h2>
      {live && live.xml === null && (
        <p role="alert" className="text-sm text-red-800">
          There is no network filter named {name} on {host.name}.
        </p>
      )}
      {live?.xml &&
        live.version &&
        (allows(user, 'manageNetworks') ? (
          <FilterEditForm hostId={host.id} name={name} xml={live.xml} version={live.version} />
        ) : (
          <pre className="code overflow-x-auto text-xs">{live.xml}</pre>
        ))}
      <Link href={`/hosts/${host.id}/filters`} className="text-sm text-sky-800 hover:underline dark:text-sky-300">
        All network filters
      </Link>
    </HostPageLayout>
  )
}
