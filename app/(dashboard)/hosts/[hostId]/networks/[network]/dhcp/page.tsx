import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { allows } from '@/lib/auth/authorize'
import { authorizePage } from '@/lib/auth/authorize-page'
import { dhcpPageData } from '@/lib/dhcp/operations'
import { ActionButton } from '@/app/ui/action-button'
import { deleteMappingAction, importDriftAction, pinLeaseAction, reapplyAction, removeDriftAction } from './actions'
import { ImportForm, MappingForm } from './forms'

export const metadata: Metadata = { title: 'Static DHCP' }

export default async function DhcpPage({ params, searchParams }: { params: Promise<{ hostId: string; network: string }>; searchParams: Promise<{ edit?: string }> }) {
  const user = await authorizePage('viewHosts')
  const { hostId, network: encodedName } = await params
  const { edit } = await searchParams
  const name = decodeURIComponent(encodedName)
  const data = await dhcpPageData(hostId, name)
  if (!data) notFound()
  const { host, network, mappings, drift, leases, error } = data
  const canManage = allows(user, 'manageNetworks')
  const base = `/hosts/${host.id}/networks/${encodeURIComponent(name)}`
  const fields = { hostId: host.id, network: name }
  const editing = mappings.find((m) => m.key === edit) ?? null
  const pending = mappings.filter((m) => m.missing.length > 0)
  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-500">
        <Link href="/hosts" className="hover:underline">
          Hosts
        </Link>{' '}
        /{' '}
        <Link href={`/hosts/${host.id}/networks`} className="hover:underline">
          {host.name}
        </Link>{' '}
        /{' '}
        <Link href={base} className="hover:underline">
          {name}
        </Link>{' '}
        / static DHCP
      </p>
      <h1 className="text-2xl font-semibold">Static DHCP hosts of {name}</h1>
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}
      {network && (
        <>
          <p className="text-sm text-slate-700">
            {network.active ? 'Active' : 'Inactive'} · {network.ips.map((ip) => `${ip.address}/${ip.prefix}`).join(', ') || 'no IP address'} · changes apply live and persistently without
            restarting the network.
          </p>
          {pending.length > 0 && (
            <p role="alert" className="flex items-center gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              {pending.length} mapping(s) differ from the host.
              {canManage && <ActionButton action={reapplyAction} fields={fields} label="Apply desired table" />}
            </p>
          )}
          <section className="card overflow-x-auto p-0">
            <table className="table" data-testid="dhcp-mappings">
              <caption className="px-3 py-2 text-left font-semibold">Desired static hosts</caption>
              <thead>
                <tr>
                  <th>MAC / DUID</th>
                  <th>IP address</th>
                  <th>Host name</th>
                  <th>Guest</th>
                  <th>On the host</th>
                  {canManage && <th>Actions</th>}
                </tr>
              </thead>
              <tbody>
                {mappings.length === 0 && (
                  <tr>
                    <td colSpan={6} className="py-4 text-center text-slate-500">
                      No static hosts yet.
                    </td>
                  </tr>
                )}
                {mappings.map((m) => (
                  <tr key={m.key}>
                    <td className="font-mono text-xs">{m.mac ?? m.id ?? '—'}</td>
                    <td className="font-mono text-xs">{m.ip}</td>
                    <td>{m.name ?? '—'}</td>
                    <td>{m.owner ?? '—'}</td>
                    <td>{m.missing.length ? <span className="badge bg-amber-50 text-amber-800">{m.missing.join(', ')}</span> : <span className="badge bg-emerald-50 text-emerald-800">applied</span>}</td>
                    {canManage && (
                      <td className="space-x-1 whitespace-nowrap">
                        <Link className="btn btn-sm" href={`${base}/dhcp?edit=${encodeURIComponent(m.key)}`}>
                          Edit
                        </Link>
                        <ActionButton action={deleteMappingAction} fields={{ ...fields, key: m.key }} label="Delete" />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {drift.length > 0 && (
            <section className="card overflow-x-auto p-0 border-amber-200">
              <table className="table" data-testid="dhcp-drift">
                <caption className="px-3 py-2 text-left font-semibold">On the host but not in the table (edited outside Virtnet)</caption>
                <thead>
                  <tr>
                    <th>MAC / DUID / name</th>
                    <th>IP address</th>
                    <th>Host name</th>
                    <th>Guest</th>
                    {canManage && <th>Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {drift.map((d) => (
                    <tr key={d.key}>
                      <td className="font-mono text-xs">{d.mac ?? d.id ?? '—'}</td>
                      <td className="font-mono text-xs">{d.ip}</td>
                      <td>{d.name ?? '—'}</td>
                      <td>{d.owner ?? '—'}</td>
                      {canManage && (
                        <td className="space-x-1 whitespace-nowrap">
                          <ActionButton action={importDriftAction} fields={{ ...fields, key: d.key }} label="Import" />
                          <ActionButton action={removeDriftAction} fields={{ ...fields, key: d.key }} label="Remove from host" />
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <section className="card overflow-x-auto p-0">
            <table className="table" data-testid="dhcp-leases">
              <caption className="px-3 py-2 text-left font-semibold">Current leases</caption>
              <thead>
                <tr>
                  <th>MAC</th>
                  <th>IP address</th>
                  <th>Host name</th>
                  <th>Guest</th>
                  <th>Expires</th>
                  {canManage && <th>Actions</th>}
                </tr>
              </thead>
              <tbody>
                {leases.length === 0 && (
                  <tr>
                    <td colSpan={6} className="py-4 text-center text-slate-500">
                      No leases.
                    </td>
                  </tr>
                )}
                {leases.map((lease) => (
                  <tr key={`${lease.mac}-${lease.ip}`}>
                    <td className="font-mono text-xs">{lease.mac}</td>
                    <td className="font-mono text-xs">{lease.ip}</td>
                    <td>{lease.hostname ?? '—'}</td>
                    <td>{lease.owner ?? '—'}</td>
                    <td className="text-xs">{lease.expiryTime}</td>
                    {canManage && (
                      <td>
                        {lease.protocol === 'ipv4' && !lease.pinned ? <ActionButton action={pinLeaseAction} fields={{ ...fields, mac: lease.mac }} label="Pin current address" /> : lease.pinned ? 'pinned' : ''}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {canManage && (
            <div className="grid gap-6 lg:grid-cols-2">
              <section className="card" aria-labelledby="mapping-heading">
                <h2 id="mapping-heading" className="mb-3 text-lg font-semibold">
                  {editing ? `Edit ${editing.mac ?? editing.id ?? editing.name}` : 'Add a static host'}
                </h2>
                <MappingForm hostId={host.id} network={name} editing={editing} ipv6={network.ips.some((ip) => ip.family === 'ipv6')} />
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
