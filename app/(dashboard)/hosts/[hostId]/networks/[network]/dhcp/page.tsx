import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { decodeRouteParam } from '@/lib/core/route-params'
import { allows } from '@/lib/auth/authorize'
import { authorizePage } from '@/lib/auth/authorize-page'
import { dhcpPageData } from '@/lib/dhcp/read'
import { ActionButton } from '@/app/ui/action-button'
import { NetworkBreadcrumbs } from '@/app/ui/breadcrumbs'
import { DataTable } from '@/app/ui/data-table'
import { Notice } from '@/app/ui/form-status'
import { deleteMappingAction, importDriftAction, pinLeaseAction, reapplyAction, removeDriftAction } from './actions'
import { ImportForm, MappingForm } from './forms'

export const metadata: Metadata = { title: 'Static DHCP' }

export default async function DhcpPage({
  params,
  searchParams,
}: {
  params: Promise<{ hostId: string; network: string }>
  searchParams: Promise<{ edit?: string }>
}) {
  const user = await authorizePage('viewHosts')
  const { hostId, network: encodedName } = await params
  const { edit } = await searchParams
  const name = decodeRouteParam(encodedName) ?? notFound()
  const data = await dhcpPageData(hostId, name)
  if (!data) notFound()
  const { host, live, error } = data
  const { network, mappings, drift, leases } = live ?? { network: null, mappings: [], drift: [], leases: [] }
  const canManage = allows(user, 'manageNetworks')
  const base = `/hosts/${host.id}/networks/${encodeURIComponent(name)}`
  const fields = { hostId: host.id, network: name }
  const editing = mappings.find((m) => m.key === edit) ?? null
  const pending = mappings.filter((m) => m.missing.length > 0)
  return (
    <div className="space-y-6">
      <NetworkBreadcrumbs host={host} network={name} page="static DHCP" />
      <h1 className="text-2xl font-semibold">Static DHCP hosts of {name}</h1>
      {error && <Notice tone="error">{error}</Notice>}
      {network && (
        <>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            {network.active ? 'Active' : 'Inactive'} ·{' '}
            {network.ips.map((ip) => `${ip.address}/${ip.prefix}`).join(', ') || 'no IP address'} · changes apply live
            and persistently without restarting the network.
          </p>
          {pending.length > 0 && (
            <p
              role="alert"
              className="flex items-center gap-3 rounded-md border border-amber-200 dark:border-amber-800 bg-amber-50 dark:bg-amber-950 px-3 py-2 text-sm text-amber-900 dark:text-amber-200"
            >
              {pending.length} mapping(s) differ from the host.
              {canManage && <ActionButton action={reapplyAction} fields={fields} label="Apply desired table" />}
            </p>
          )}
          <DataTable
            testId="dhcp-mappings"
            caption="Desired static hosts"
            columns={['MAC / DUID', 'IP address', 'Host name', 'Guest', 'On the host', canManage && 'Actions']}
            empty={mappings.length === 0 && 'No static hosts yet.'}
          >
            {mappings.map((m) => (
              <tr key={m.key}>
                <EntryCells entry={m} />
                <td>
                  {m.missing.length ? (
                    <span className="badge bg-amber-50 dark:bg-amber-950 text-amber-800 dark:text-amber-300">
                      {m.missing.join(', ')}
                    </span>
                  ) : (
                    <span className="badge bg-emerald-50 dark:bg-emerald-950 text-emerald-800 dark:text-emerald-300">
                      applied
                    </span>
                  )}
                </td>
                {canManage && (
                  <td className="space-x-1 whitespace-nowrap">
                    <Link className="btn btn-sm" href={`${base}/dhcp?edit=${encodeURIComponent(m.key)}`}>
                      Edit
                    </Link>
                    <ActionButton
                      action={deleteMappingAction}
                      fields={{ ...fields, key: m.key }}
                      label="Delete"
                      className="btn btn-sm btn-danger"
                      confirm={{
                        title: `Delete the static host ${m.mac ?? m.id ?? m.name}?`,
                        consequences: lossOfReservation(m, name),
                        confirmLabel: 'Delete mapping',
                      }}
                    />
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
          {drift.length > 0 && (
            <DataTable
              testId="dhcp-drift"
              caption="On the host but not in the table (edited outside Virtnet)"
              className="border-amber-200 dark:border-amber-800"
              columns={['MAC / DUID / name', 'IP address', 'Host name', 'Guest', canManage && 'Actions']}
            >
              {drift.map((d) => (
                <tr key={d.key}>
                  <EntryCells entry={d} />
                  {canManage && (
                    <td className="space-x-1 whitespace-nowrap">
                      <ActionButton action={importDriftAction} fields={{ ...fields, key: d.key }} label="Import" />
                      <ActionButton
                        action={removeDriftAction}
                        fields={{ ...fields, key: d.key }}
                        label="Remove from host"
                        className="btn btn-sm btn-danger"
                        confirm={{
                          title: `Remove ${d.mac ?? d.id ?? d.name} from the host?`,
                          consequences: lossOfReservation(d, name),
                          confirmLabel: 'Remove from host',
                        }}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </DataTable>
          )}
          <DataTable
            testId="dhcp-leases"
            caption="Current leases"
            columns={['MAC', 'IP address', 'Host name', 'Guest', 'Expires', canManage && 'Actions']}
            empty={leases.length === 0 && 'No leases.'}
          >
            {leases.map((lease) => (
              <tr key={`${lease.mac}-${lease.ip}`}>
                <td className="font-mono text-xs">{lease.mac}</td>
                <td className="font-mono text-xs">{lease.ip}</td>
                <td>{lease.hostname ?? '—'}</td>
                <td>{lease.owner ?? '—'}</td>
                <td className="text-xs">{lease.expiryTime}</td>
                {canManage && (
                  <td>
                    {lease.protocol === 'ipv4' && !lease.pinned ? (
                      <ActionButton
                        action={pinLeaseAction}
                        fields={{ ...fields, mac: lease.mac }}
                        label="Pin current address"
                      />
                    ) : lease.pinned ? (
                      'pinned'
                    ) : (
                      ''
                    )}
                  </td>
                )}
              </tr>
            ))}
          </DataTable>
          {canManage && (
            <div className="grid gap-6 lg:grid-cols-2">
              <section className="card" aria-labelledby="mapping-heading">
                <h2 id="mapping-heading" className="mb-3 text-lg font-semibold">
                  {editing ? `Edit ${editing.mac ?? editing.id ?? editing.name}` : 'Add a static host'}
                </h2>
                <MappingForm
                  hostId={host.id}
                  network={name}
                  editing={editing}
                  ipv6={network.ips.some((ip) => ip.family === 'ipv6')}
                />
              </section>
              <section className="card" aria-labelledby="import-heading">
                <h2 id="import-heading" className="mb-3 text-lg font-semibold">
                  Import from CSV
                </h2>
                <ImportForm hostId={host.id} network={name} />
              </section>
            </div>
          )}
        </>
      )}
    </div>
  )
}

/** What deleting a static host takes away, in words: who loses which fixed address. */
function lossOfReservation(entry: { ip: string; owner?: string | null; name?: string | null }, network: string) {
  const who = entry.owner ? `The guest ${entry.owner}` : entry.name ? `The client ${entry.name}` : 'The client'
  return `${who} loses its fixed address ${entry.ip} on ${network}: dnsmasq forgets the reservation at once, and at its next lease renewal it may get another address from the range, which breaks port forwards and anything else pointing at ${entry.ip}.`
}

/** The cells a desired mapping and an entry found only on the host have in common. */
function EntryCells({
  entry,
}: {
  entry: { mac?: string | null; id?: string | null; ip: string; name?: string | null; owner?: string | null }
}) {
  return (
    <>
      <td className="font-mono text-xs">{entry.mac ?? entry.id ?? '—'}</td>
      <td className="font-mono text-xs">{entry.ip}</td>
      <td>{entry.name ?? '—'}</td>
      <td>{entry.owner ?? '—'}</td>
    </>
  )
}
