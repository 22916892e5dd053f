import type { Metadata } from 'next'
import { plotsPageData } from '@/lib/inventory/read'
import { Sparkline, UsageBar } from '@/app/ui/sparkline'
import { HostPageLayout, loadHostPage } from '../host-page'
import { SnapshotBar } from '../snapshot-bar'

export const metadata: Metadata = { title: 'Plots' }

const colors = { leased: '#0284c7', mapped: '#7c3aed', used: '#15803d', forwards: '#ea580c' }

function Legend({ items }: { items: Array<{ name: string; color: string }> }) {
  return (
    <p className="flex gap-4 text-xs text-slate-600 dark:text-slate-300">
      {items.map((item) => (
        <span key={item.name} className="inline-flex items-center gap-1">
          <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: item.color }} />
          {item.name}
        </span>
      ))}
    </p>
  )
}

function Plot({ title, testId, children }: { title: string; testId: string; children: React.ReactNode }) {
  return (
    <section className="card space-y-3" aria-label={title} data-testid={testId}>
      <h2 className="text-lg font-semibold">{title}</h2>
      {children}
    </section>
  )
}

function Row({ label, children, figure }: { label: string; children: React.ReactNode; figure: string }) {
  return (
    <li className="grid grid-cols-[12rem_1fr_12rem] items-center gap-3 text-sm">
      <span className="truncate font-medium" title={label}>
        {label}
      </span>
      <span className="flex flex-col gap-1">{children}</span>
      <span className="text-xs text-slate-600 dark:text-slate-300">{figure}</span>
    </li>
  )
}

export default async function PlotsPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { data } = await loadHostPage(params, plotsPageData)
  const { host, doc, latency, forwardsByOwner } = data
  const dhcp = (doc?.networks ?? [])
    .filter((n) => n.ranges.length)
    .map((n) => ({
      name: n.name,
      size: n.ranges.reduce((sum, r) => sum + r.size, 0),
      leased: doc!.leases.filter((l) => l.network === n.name).length,
      mapped: doc!.mappings.filter((m) => m.network === n.name).length,
    }))
  const answered = latency.filter((p) => p.ms !== null).map((p) => p.ms!)
  return (
    <HostPageLayout host={host} current="plots">
      <SnapshotBar inventory={data} />
      <div className="grid gap-6 xl:grid-cols-2">
        <Plot title="DHCP range use per network" testId="plot-dhcp">
          <Legend
            items={[
              { name: 'active leases', color: colors.leased },
              { name: 'static mappings', color: colors.mapped },
            ]}
          />
          {dhcp.length === 0 && (
            <p className="text-sm text-slate-500 dark:text-slate-400">No network with a DHCP range.</p>
          )}
          <ul className="space-y-2">
            {dhcp.map((n) => (
              <Row key={n.name} label={n.name} figure={`${n.leased} leased, ${n.mapped} mapped of ${n.size}`}>
                <UsageBar
                  total={n.size}
                  parts={[{ name: 'leased', value: n.leased, color: colors.leased }]}
                  label={`${n.name}: ${n.leased} of ${n.size} addresses leased`}
                  width={240}
                />
                <UsageBar
                  total={n.size}
                  parts={[{ name: 'mapped', value: n.mapped, color: colors.mapped }]}
                  label={`${n.name}: ${n.mapped} static mappings for ${n.size} addresses`}
                  width={240}
                />
              </Row>
            ))}
          </ul>
        </Plot>
        <Plot title="VF use per pool" testId="plot-vfs">
          {(doc?.pools.length ?? 0) === 0 && (
            <p className="text-sm text-slate-500 dark:text-slate-400">No hostdev pool on this host.</p>
          )}
          <ul className="space-y-2">
            {doc?.pools.map((pool) => (
              <Row key={pool.name} label={pool.name} figure={`${pool.used} of ${pool.vfs} VFs in use`}>
                <UsageBar
                  total={pool.vfs}
                  parts={[{ name: 'used', value: pool.used, color: colors.used }]}
                  label={`${pool.name}: ${pool.used} of ${pool.vfs} VFs in use`}
                  width={240}
                />
              </Row>
            ))}
          </ul>
        </Plot>
        <Plot title="Forwards per owner against their quota" testId="plot-forwards">
          {forwardsByOwner.length === 0 && (
            <p className="text-sm text-slate-500 dark:text-slate-400">No forwards on this host.</p>
          )}
          <ul className="space-y-2">
            {forwardsByOwner.map((owner) => (
              <Row
                key={owner.owner}
                label={owner.owner}
                figure={owner.quota === null ? `${owner.forwards} (no quota)` : `${owner.forwards} of ${owner.quota}`}
              >
                <UsageBar
                  total={owner.quota ?? Math.max(owner.forwards, 1)}
                  parts={[{ name: 'forwards', value: owner.forwards, color: colors.forwards }]}
                  label={`${owner.owner}: ${owner.forwards} forwards${owner.quota === null ? '' : ` of ${owner.quota}`}`}
                  width={240}
                />
              </Row>
            ))}
          </ul>
        </Plot>
        <Plot title="SSH round trip over the last day" testId="plot-latency">
          <Sparkline
            points={latency}
            width={520}
            height={120}
            label={`SSH round trip of ${host.name} over the last day, ${latency.length} reads`}
          />
          <p className="text-xs text-slate-600 dark:text-slate-300">
            {latency.length} reads
            {answered.length > 0 &&
              `: ${Math.min(...answered).toFixed(1)}–${Math.max(...answered).toFixed(1)} ms (a red line is a read the host did not answer)`}
          </p>
        </Plot>
      </div>
    </HostPageLayout>
  )
}
