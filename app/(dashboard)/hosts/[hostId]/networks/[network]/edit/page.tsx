import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { decodeRouteParam } from '@/lib/core/route-params'
import { authorizePage } from '@/lib/auth/authorize-page'
import { allows } from '@/lib/auth/authorize'
import { networkEditPageData } from '@/lib/network-edit/read'
import { NetworkBreadcrumbs } from '@/app/ui/breadcrumbs'
import { Notice } from '@/app/ui/form-status'
import { NetworkEditForm } from './edit-form'

export const metadata: Metadata = { title: 'Edit network' }

export default async function EditNetworkPage({ params }: { params: Promise<{ hostId: string; network: string }> }) {
  const user = await authorizePage('manageNetworks')
  const { hostId, network: encodedName } = await params
  const name = decodeRouteParam(encodedName) ?? notFound()
  const data = await networkEditPageData(hostId, name)
  if (!data) notFound()
  const { host, live, error } = data
  const { network, xml, version, taps } = live ?? { network: null, xml: null, version: null, taps: [] }
  const networkHref = `/hosts/${host.id}/networks/${encodeURIComponent(name)}`
  return (
    <div className="space-y-4">
      <NetworkBreadcrumbs host={host} network={name} page="edit" />
      <h1 className="text-2xl font-semibold">Edit {name}</h1>
      {error ? (
        <Notice tone="error">{error}</Notice>
      ) : !network || xml === null || version === null ? (
        <p role="alert" className="text-sm text-red-800">
          There is no network named {name} on {host.name}.
        </p>
      ) : (
        <>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            {network.persistent
              ? 'You edit the persistent definition. '
              : 'This network is transient: only changes net-update supports can be applied. '}
            DHCP hosts and ranges, DNS hosts/SRV/TXT records, port groups and forward interfaces change live with
            net-update. Any other change redefines the network
            {network.active ? ', restarts it and re-attaches the running guests to its bridge' : ''}. libvirt validates
            the XML before anything changes.
            {network.active &&
              ` Running guest interfaces on it now: ${taps.map((t) => `${t.guest} (${t.tap})`).join(', ') || 'none'}.`}
          </p>
          {!allows(user, 'editDnsmasqOptions') && (
            <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="dnsmasq-options-note">
              Only administrators may add, change or remove dnsmasq: options (&lt;dnsmasq:options&gt;): dnsmasq runs
              them as root on the host. You can edit everything else; keep that part as it is.
            </p>
          )}
          <NetworkEditForm hostId={host.id} name={name} xml={xml} version={version} />
          <Link href={networkHref} className="text-sm text-sky-800 hover:underline dark:text-sky-300">
            Back to {name}
          </Link>
        </>
      )}
    </div>
  )
}
