import Link from 'next/link'
import { Breadcrumbs } from '@/app/ui/breadcrumbs'

export function HostHeader({
  host,
  current,
}: {
  host: { id: string; name: string; address: string; port: number }
  current: 'overview' | 'networks' | 'forwards' | 'sriov' | 'bridges' | 'guests' | 'filters' | 'topology' | 'plots'
}) {
  const tabs = [
    { key: 'overview', label: 'Overview', href: `/hosts/${host.id}` },
    { key: 'networks', label: 'Networks', href: `/hosts/${host.id}/networks` },
    { key: 'forwards', label: 'Port forwards', href: `/hosts/${host.id}/forwards` },
    { key: 'guests', label: 'Guests', href: `/hosts/${host.id}/guests` },
    { key: 'sriov', label: 'SR-IOV', href: `/hosts/${host.id}/sriov` },
    { key: 'bridges', label: 'Bridges', href: `/hosts/${host.id}/bridges` },
    { key: 'filters', label: 'Network filters', href: `/hosts/${host.id}/filters` },
    { key: 'topology', label: 'Topology', href: `/hosts/${host.id}/topology` },
    { key: 'plots', label: 'Plots', href: `/hosts/${host.id}/plots` },
  ] as const
  return (
    <header className="mb-6">
      <Breadcrumbs trail={[{ label: 'Hosts', href: '/hosts' }]} />
      <h1 className="text-2xl font-semibold">
        {host.name}{' '}
        <span className="font-mono text-sm font-normal text-slate-600 dark:text-slate-400">
          {host.address}:{host.port}
        </span>
      </h1>
      <nav aria-label="Host sections" className="mt-3 flex gap-1 border-b border-slate-200 dark:border-slate-700">
        {tabs.map((tab) => (
          <Link
            key={tab.key}
            href={tab.href}
            aria-current={tab.key === current ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm ${tab.key === current ? 'border-sky-700 font-medium text-sky-800 dark:text-sky-300' : 'border-transparent text-slate-600 dark:text-slate-300 hover:text-slate-900'}`}
          >
            {tab.label}
          </Link>
        ))}
      </nav>
    </header>
  )
}
