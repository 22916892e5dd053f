import type { Metadata } from 'next'
import { allows } from '@/lib/auth/authorize'
import { guestsPageData } from '@/lib/guests/read'
import { ActionButton } from '@/app/ui/action-button'
import { DataTable } from '@/app/ui/data-table'
import { detachInterfaceAction } from './actions'
import { AttachForm, ChangeNetworkForm, InterfaceSettingsForm } from './forms'
import { HostPageLayout, loadHostPage } from '../host-page'

export const metadata: Metadata = { title: 'Guests' }

export default async function GuestsPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { user, data } = await loadHostPage(params, guestsPageData)
  const { host, live, error } = data
  const guests = live?.guests
  const sources = live?.sources
  const canManage = allows(user, 'manageGuests')
  return (
    <HostPageLayout host={host} current="guests" error={error}>
      {guests && guests.length === 0 && (
        <p className="text-sm text-slate-600 dark:text-slate-300">This host has no guests.</p>
      )}
      {guests?.map((guest) => (
        <section
          key={guest.name}
          className="card space-y-3"
          aria-labelledby={`guest-${guest.name}`}
          data-testid={`guest-${guest.name}`}
        >
          <h2 id={`guest-${guest.name}`} className="text-lg font-semibold">
            {guest.name}{' '}
            <span
              className={`badge ${guest.state === 'running' ? 'bg-emerald-50 dark:bg-emerald-950 text-emerald-800 dark:text-emerald-300' : 'bg-slate-100 dark:bg-slate-800 text-slate-600 dark:text-slate-300'}`}
            >
              {guest.state}
            </span>
            {!guest.persistent && (
              <span className="badge ml-1 bg-amber-50 dark:bg-amber-950 text-amber-800 dark:text-amber-300">
                transient
              </span>
            )}
          </h2>
          <DataTable
            frame="scroll"
            columns={['Type', 'Source', 'MAC', 'Model', 'Tap', 'Addresses', canManage && 'Actions']}
            empty={guest.interfaces.length === 0 && 'No network interfaces.'}
          >
            {guest.interfaces.map((nic) => (
              <tr key={nic.mac ?? `${nic.type}-${nic.source}`}>
                <td>{nic.type}</td>
                <td className="font-mono text-xs">{nic.source ?? '—'}</td>
                <td className="font-mono text-xs">{nic.mac ?? '—'}</td>
                <td>{nic.model ?? '—'}</td>
                <td className="font-mono text-xs">{nic.tap ?? '—'}</td>
                <td className="font-mono text-xs">{nic.addresses.join(', ') || '—'}</td>
                {canManage && (
                  <td className="space-x-1 whitespace-nowrap">
                    {nic.type === 'network' && nic.mac && nic.source && sources && (
                      <ChangeNetworkForm
                        hostId={host.id}
                        guest={guest.name}
                        mac={nic.mac}
                        current={nic.source}
                        networks={sources.networks.map((n) => n.name)}
                      />
                    )}
                    {nic.mac && (
                      <ActionButton
                        action={detachInterfaceAction}
                        fields={{ hostId: host.id, guest: guest.name, mac: nic.mac }}
                        label="Detach"
                        className="btn btn-sm btn-danger"
                        confirm={{
                          title: `Detach ${nic.mac} from ${guest.name}?`,
                          consequences: `${guest.name} loses this ${nic.type} interface${nic.source ? ` on ${nic.source}` : ''}${nic.addresses.length ? ` and its address${nic.addresses.length > 1 ? 'es' : ''} ${nic.addresses.join(', ')}` : ''}${guest.state === 'running' ? ' now (hot-unplugged from the running guest)' : ''}${guest.persistent ? ' and in its persistent definition' : ''}. Port forwards to it stop reaching the guest.`,
                          confirmLabel: 'Detach interface',
                        }}
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
          {canManage &&
            guest.interfaces.map(
              (nic) =>
                nic.mac &&
                nic.settings && (
                  <details
                    key={`settings-${nic.mac}`}
                    className="rounded border border-slate-200 dark:border-slate-700 p-2"
                  >
                    <summary className="cursor-pointer text-sm font-medium">Settings of {nic.mac}</summary>
                    <InterfaceSettingsForm
                      hostId={host.id}
                      guest={guest.name}
                      mac={nic.mac}
                      settings={nic.settings}
                      running={guest.state === 'running' || guest.state === 'paused'}
                    />
                  </details>
                ),
            )}
          {canManage && sources && <AttachForm hostId={host.id} guest={guest.name} sources={sources} />}
        </section>
      ))}
    </HostPageLayout>
  )
}
