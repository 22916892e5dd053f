import type { Metadata } from 'next'
import Link from 'next/link'
import { allows } from '@/lib/auth/authorize'
import { networksPageData } from '@/lib/networks/read'
import { ActionButton } from '@/app/ui/action-button'
import { ActionForm } from '@/app/ui/action-form'
import { DataTable } from '@/app/ui/data-table'
import { autostartNetworkAction, startNetworkAction, stopNetworkAction, restoreDefaultAction } from './actions'
import { CreateNetworkForm } from './network-forms'
import { HostPageLayout, loadHostPage } from '../host-page'

export const metadata: Metadata = { title: 'Networks' }

export default async function NetworksPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { user, data } = await loadHostPage(params, networksPageData)
  const { host, live, error } = data
  const networks = live?.networks
  const canManage = allows(user, 'manageNetworks')
  const desiredByName = new Map(live?.desired.map((d) => [d.name, d]))

  return (
    <HostPageLayout host={host} current="networks" error={error}>
      {networks && (
        <DataTable
          testId="networks-table"
          columns={[
            'Name',
            'State',
            'Autostart',
            'Persistent',
            'Mode',
            'Bridge',
            'IPv4 subnet',
            'DHCP range',
            'Guests',
            canManage && 'Actions',
          ]}
          empty={networks.length === 0 && 'This host has no libvirt networks.'}
        >
          {networks.map((network) => {
            const want = desiredByName.get(network.name)
            const drift = want && (want.active !== network.active || want.autostart !== network.autostart)
            const fields = { hostId: host.id, name: network.name }
            return (
              <tr key={network.name}>
                <td>
                  <Link
                    href={`/hosts/${host.id}/networks/${encodeURIComponent(network.name)}`}
                    className="font-medium text-sky-800 dark:text-sky-300 hover:underline"
                  >
                    {network.name}
                  </Link>
                  {drift && (
                    <span
                      className="badge ml-1 bg-amber-50 dark:bg-amber-950 text-amber-800 dark:text-amber-300"
                      title={`Virtnet last set it ${want.active ? 'active' : 'inactive'}, autostart ${want.autostart ? 'on' : 'off'}`}
                    >
                      changed outside Virtnet
                    </span>
                  )}
                </td>
                <td>
                  <span
                    className={`badge ${network.active ? 'bg-emerald-50 dark:bg-emerald-950 text-emerald-800 dark:text-emerald-300' : 'bg-slate-100 dark:bg-slate-800 text-slate-600 dark:text-slate-300'}`}
                  >
                    {network.active ? 'active' : 'inactive'}
                  </span>
                </td>
                <td>{network.autostart ? 'yes' : 'no'}</td>
                <td>{network.persistent ? 'yes' : 'no'}</td>
                <td>{network.forwardMode}</td>
                <td className="font-mono text-xs">{network.bridge ?? '—'}</td>
                <td className="font-mono text-xs">{network.ipv4?.subnet ?? '—'}</td>
                <td className="font-mono text-xs">
                  {network.dhcpRange ? `${network.dhcpRange.start} – ${network.dhcpRange.end}` : '—'}
                </td>
                <td title={network.guests.join(', ')}>{network.guests.length}</td>
                {canManage && (
                  <td className="space-x-1 whitespace-nowrap">
                    {network.active ? (
                      <ActionButton
                        action={stopNetworkAction}
                        fields={fields}
                        label="Stop"
                        confirm={{
                          title: `Stop ${network.name}?`,
                          consequences: network.guests.length
                            ? `${network.guests.join(', ')} lose their connection on ${network.name} (addresses, DHCP, DNS and port forwards through it), and stay off it even after it starts again until their interfaces are re-attached.`
                            : `No guest uses ${network.name}; its bridge${network.bridge ? ` ${network.bridge}` : ''} and its dnsmasq stop until it is started again.`,
                          confirmLabel: 'Stop network',
                        }}
                      />
                    ) : (
                      <ActionButton action={startNetworkAction} fields={fields} label="Start" />
                    )}
                    {network.persistent && (
                      <ActionButton
                        action={autostartNetworkAction}
                        fields={{ ...fields, enabled: String(!network.autostart) }}
                        label={network.autostart ? 'Disable autostart' : 'Enable autostart'}
                      />
                    )}
                  </td>
                )}
              </tr>
            )
          })}
        </DataTable>
      )}
      {canManage && networks && (
        <div className="grid gap-6 lg:grid-cols-2">
          <section className="card" aria-labelledby="create-heading">
            <h2 id="create-heading" className="mb-3 text-lg font-semibold">
              Create a network
            </h2>
            <CreateNetworkForm hostId={host.id} />
          </section>
          {!networks.some((network) => network.name === 'default') && (
            <section className="card" aria-labelledby="restore-heading">
              <h2 id="restore-heading" className="mb-1 text-lg font-semibold">
                Restore the default network
              </h2>
              <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
                Defines <span className="code">default</span> from the host&apos;s own{' '}
                <span className="code">/usr/share/libvirt/networks/default.xml</span>, enables autostart and starts it.
              </p>
              <ActionForm action={restoreDefaultAction} fields={{ hostId: host.id }} label="Restore default network" />
            </section>
          )}
        </div>
      )}
    </HostPageLayout>
  )
}
