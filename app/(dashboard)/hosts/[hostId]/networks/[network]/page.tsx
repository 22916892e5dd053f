import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { decodeRouteParam } from '@/lib/core/route-params'
import { allows } from '@/lib/auth/authorize'
import { authorizePage } from '@/lib/auth/authorize-page'
import { networkPageData } from '@/lib/networks/read'
import { ConfirmByNameForm } from '@/app/ui/confirm-by-name-form'
import { NetworkBreadcrumbs } from '@/app/ui/breadcrumbs'
import { Notice } from '@/app/ui/form-status'
import { undefineNetworkAction } from '../actions'

export const metadata: Metadata = { title: 'Network' }

export default async function NetworkPage({ params }: { params: Promise<{ hostId: string; network: string }> }) {
  const user = await authorizePage('viewHosts')
  const { hostId, network: encodedName } = await params
  const name = decodeRouteParam(encodedName) ?? notFound()
  const data = await networkPageData(hostId, name)
  // A host whose key nobody has confirmed has no network pages (its tabs say why).
  if (!data || !data.host.pinnedFingerprint) notFound()
  const { host, live, error } = data
  const { network, xml, inactiveXml } = live ?? { network: null, xml: null, inactiveXml: null }
  return (
    <div className="space-y-4">
      <NetworkBreadcrumbs host={host} network={name} />
      <h1 className="text-2xl font-semibold">{name}</h1>
      {error ? (
        <Notice tone="error">{error}</Notice>
      ) : !network ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          There is no network named {name} on {host.name}.
        </p>
      ) : (
        <>
          <p className="text-sm">
            {network.active ? 'Active' : 'Inactive'} · {network.persistent ? 'persistent' : 'transient'} · autostart{' '}
            {network.autostart ? 'on' : 'off'} ·{' '}
            {network.guests.length ? `used by ${network.guests.join(', ')}` : 'no guest uses it'} ·{' '}
            <Link
              href={`/hosts/${host.id}/networks/${encodeURIComponent(name)}/dhcp`}
              className="text-sky-800 underline dark:text-sky-300"
            >
              Static DHCP hosts and leases
            </Link>
          </p>
          <section className="card space-y-2">
            <div className="flex items-center justify-between">
              <h2 className="text-lg font-semibold">{network.active ? 'Live definition' : 'Definition'}</h2>
              {allows(user, 'manageNetworks') && (
                <Link href={`/hosts/${host.id}/networks/${encodeURIComponent(name)}/edit`} className="btn btn-sm">
                  Edit XML
                </Link>
              )}
            </div>
            <pre
              className="overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100"
              data-testid="network-xml"
            >
              {xml}
            </pre>
            {network.active && inactiveXml && inactiveXml !== xml && (
              <details>
                <summary className="cursor-pointer text-sm text-slate-600 dark:text-slate-300">
                  Persistent definition (applies at next start)
                </summary>
                <pre className="mt-2 overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100">
                  {inactiveXml}
                </pre>
              </details>
            )}
          </section>
          {allows(user, 'manageNetworks') && (
            <section className="card space-y-2 border-red-200 dark:border-red-800">
              <h2 className="text-lg font-semibold">Undefine</h2>
              <p className="text-sm text-slate-700 dark:text-slate-300">
                {network.active ? 'Stops the network, then removes its definition. ' : 'Removes the definition. '}
                {network.guests.length > 0 ? (
                  <strong>
                    These guests have an interface on it and will lose that connection: {network.guests.join(', ')}.
                  </strong>
                ) : (
                  'No guest uses it.'
                )}
              </p>
              <ConfirmByNameForm
                action={undefineNetworkAction}
                fields={{ hostId: host.id, name }}
                expected={name}
                button="Undefine network"
              />
            </section>
          )}
        </>
      )}
    </div>
  )
}
