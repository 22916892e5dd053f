import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { currentUser } from '@/lib/auth/session'
import { allows } from '@/lib/auth/authorize'
import { fleetPageData, type FleetHost } from '@/lib/inventory/read'
import { HealthDot } from '@/app/ui/health-dot'
import { DataTable } from '@/app/ui/data-table'
import { Sparkline, UsageBar } from '@/app/ui/sparkline'
import { Age } from '@/app/ui/age'
import { AutoRefresh } from '@/app/ui/auto-refresh'
import { ActionButton } from '@/app/ui/action-button'
import { refreshInventoryAction } from './fleet/actions'

export const metadata: Metadata = { title: 'Fleet' }

export default async function Home() {
  const user = await currentUser()
  if (!user) redirect('/login')
  if (!allows(user, 'viewHosts')) redirect(allows(user, 'selfService') ? '/my' : '/account')
  const fleet = await fleetPageData()
  const troubled = fleet.filter((host) => host.trouble.length).length
  return (
    <div className="space-y-6">
      {/* every few seconds while a host is being read, so its new snapshot shows when it is in */}
      <AutoRefresh seconds={fleet.some((host) => host.reading) ? 3 : 15} />
      <header>
        <h1 className="text-2xl font-semibold">Fleet</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {fleet.length} {fleet.length === 1 ? 'host' : 'hosts'}
          {troubled ? `, ${troubled} in trouble (listed first)` : ', all healthy'}. Read from each host&apos;s inventory
          snapshot, refreshed in the background and after every change; press Ctrl-K to search them.
        </p>
      </header>
      <DataTable
        testId="fleet"
        columns={['Host', 'libvirt', 'Networks', 'Guests', 'Forwards', 'DHCP pools', 'SSH round trip', 'Snapshot']}
        empty={fleet.length === 0 && <Link href="/hosts">No hosts yet: add one.</Link>}
      >
        {fleet.map((host) => (
          <FleetRow key={host.id} host={host} />
        ))}
      </DataTable>
    </div>
  )
}

function FleetRow({ host }: { host: FleetHost }) {
  const health = host.health
  const last = host.latency.at(-1)
  return (
    <tr data-testid="fleet-host" aria-label={host.name}>
      <td>
        <span className="flex items-center gap-2">
          <HealthDot health={health} pinned={host.pinned} />
          <Link href={`/hosts/${host.id}`} className="font-medium text-sky-800 dark:text-sky-300 hover:underline">
            {host.name}
          </Link>
        </span>
        <span className="block font-mono text-xs text-slate-500 dark:text-slate-400">{host.address}</span>
        {host.trouble.length > 0 && (
          <ul className="mt-1 max-w-xs text-xs text-amber-800 dark:text-amber-300" data-testid="fleet-trouble">
            {host.trouble.slice(0, 3).map((text) => (
              <li key={text} className="truncate" title={text}>
                {text}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {health?.libvirtVersion ?? '—'}
        {health?.libvirtFirewall && (
          <span
            className="block text-xs text-slate-500 dark:text-slate-400"
            title="libvirt's firewall backend (iptables' own backend)"
          >
            {health.libvirtFirewall}
            {health.iptablesBackend && health.iptablesBackend !== 'unknown' && ` (${health.iptablesBackend})`}
          </span>
        )}
      </td>
      <td data-testid="fleet-networks">
        {host.counts ? (
          <Link href={`/hosts/${host.id}/networks`} className="hover:underline">
            {host.counts.networks}
          </Link>
        ) : (
          '—'
        )}
      </td>
      <td data-testid="fleet-guests" className="whitespace-nowrap">
        {host.counts ? (
          <Link href={`/hosts/${host.id}/guests`} className="hover:underline">
            {host.counts.guests}
            <span className="text-xs text-slate-500 dark:text-slate-400"> ({host.counts.running} running)</span>
          </Link>
        ) : (
          '—'
        )}
      </td>
      <td>
        {host.counts ? (
          <Link href={`/hosts/${host.id}/forwards`} className="hover:underline">
            {host.counts.forwards}
          </Link>
        ) : (
          '—'
        )}
      </td>
      <td>
        {host.dhcp && host.dhcp.size > 0 ? (
          <span className="flex flex-col gap-1 text-xs">
            <UsageBar
              width={100}
              total={host.dhcp.size}
              parts={[{ name: 'leased', value: host.dhcp.leased, color: '#0284c7' }]}
              label={`${host.dhcp.leased} of ${host.dhcp.size} DHCP addresses leased`}
            />
            {host.dhcp.leased} / {host.dhcp.size} leased
          </span>
        ) : (
          '—'
        )}
      </td>
      <td>
        <span className="flex items-center gap-2 text-xs">
          <Sparkline
            points={host.latency}
            label={`SSH round trip of ${host.name}, last ${host.latency.length} reads`}
          />
          {last ? (last.ms === null ? 'no answer' : `${last.ms.toFixed(1)} ms`) : ''}
        </span>
      </td>
      <td className="text-xs whitespace-nowrap">
        <Age at={host.refreshedAt} seconds={host.ageSeconds} reading={host.reading} />
        <span className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1">
          {host.pinned && (
            <ActionButton
              action={refreshInventoryAction}
              fields={{ hostId: host.id }}
              label="Refresh"
              pendingLabel="Reading…"
              className="btn btn-sm"
            />
          )}
          <Link href={`/hosts/${host.id}/topology`} className="text-sky-800 dark:text-sky-300 hover:underline">
            Topology
          </Link>
          <Link href={`/hosts/${host.id}/plots`} className="text-sky-800 dark:text-sky-300 hover:underline">
            Plots
          </Link>
        </span>
      </td>
    </tr>
  )
}
