import type { Metadata } from 'next'
import Link from 'next/link'
import { allows } from '@/lib/auth/authorize'
import { authorizePage } from '@/lib/auth/authorize-page'
import { healthOf } from '@/lib/hosts/store'
import { listHosts } from '@/lib/hosts/read'
import { dashboardIdentity } from '@/lib/ssh/identity'
import { HealthDot, healthSummary } from '@/app/ui/health-dot'
import { DataTable } from '@/app/ui/data-table'
import { AddHostForm } from './add-host-form'

export const metadata: Metadata = { title: 'Hosts' }

export default async function HostsPage() {
  const user = await authorizePage('viewHosts')
  const hosts = await listHosts()
  return (
    <div className="space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Hosts</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          libvirt hosts reached over SSH. Nothing runs on a host until its key fingerprint is confirmed.
        </p>
      </header>
      <DataTable
        columns={['Name', 'Address', 'User', 'Host key', 'Health', 'libvirt']}
        empty={hosts.length === 0 && 'No hosts yet.'}
      >
        {hosts.map((host) => {
          const health = healthOf(host)
          const pinned = Boolean(host.pinnedFingerprint)
          return (
            <tr key={host.id}>
              <td>
                <Link href={`/hosts/${host.id}`} className="font-medium text-sky-800 dark:text-sky-300 hover:underline">
                  {host.name}
                </Link>
              </td>
              <td className="font-mono text-xs">
                {host.address}:{host.port}
              </td>
              <td>
                {host.username}
                {host.useSudo && (
                  <span className="badge ml-1 bg-slate-100 dark:bg-slate-800 text-slate-700 dark:text-slate-300">
                    sudo
                  </span>
                )}
              </td>
              <td>
                {pinned ? (
                  <span className="badge bg-emerald-50 dark:bg-emerald-950 text-emerald-800 dark:text-emerald-300">
                    pinned
                  </span>
                ) : (
                  <span className="badge bg-amber-50 dark:bg-amber-950 text-amber-800 dark:text-amber-300">
                    not confirmed
                  </span>
                )}
              </td>
              <td>
                <span className="inline-flex items-center gap-2">
                  <HealthDot health={health} pinned={pinned} />
                  {healthSummary(health, pinned).text}
                </span>
              </td>
              <td>{health?.libvirtVersion ?? '—'}</td>
            </tr>
          )
        })}
      </DataTable>
      {allows(user, 'manageHosts') && (
        <div className="grid gap-6 lg:grid-cols-2">
          <section className="card" aria-labelledby="add-host-heading">
            <h2 id="add-host-heading" className="mb-3 text-lg font-semibold">
              Add a host
            </h2>
            <AddHostForm />
          </section>
          <section className="card" aria-labelledby="dashboard-key-heading">
            <h2 id="dashboard-key-heading" className="mb-1 text-lg font-semibold">
              Dashboard SSH key
            </h2>
            <p className="mb-2 text-sm text-slate-600 dark:text-slate-300">
              Add this public key to <span className="code">~/.ssh/authorized_keys</span> of the SSH user on each host.
            </p>
            <pre
              className="overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-3 font-mono text-xs text-slate-100"
              data-testid="dashboard-public-key"
            >
              {dashboardIdentity().publicKey}
            </pre>
            <Link
              href="/hosts/dashboard-key"
              className="mt-2 inline-block text-sm text-sky-800 dark:text-sky-300 hover:underline"
            >
              Rotate dashboard key
            </Link>
          </section>
        </div>
      )}
    </div>
  )
}
