import type { Metadata } from 'next'
import { allows } from '@/lib/auth/authorize'
import { forwardsPageData, nftablesExplanation } from '@/lib/forwards/read'
import { driftCount } from '@/lib/forwards/drift'
import { formatRange } from '@/lib/forwards/validate'
import { ActionButton } from '@/app/ui/action-button'
import { DataTable } from '@/app/ui/data-table'
import { addForwardAction, installHookAction, reconcileForwardsAction, removeForwardAction } from './actions'
import { ForwardForm } from './forward-form'
import { HostPageLayout, loadHostPage } from '../host-page'

export const metadata: Metadata = { title: 'Port forwards' }

const hookLabel = { missing: 'not installed', current: 'installed, current', outdated: 'installed, outdated' } as const

export default async function ForwardsPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { user, data } = await loadHostPage(params, forwardsPageData)
  const { host, forwards, nics, hostAddresses, backend, hook, drift, error } = data
  const canManage = allows(user, 'manageForwards')
  const hookCurrent = hook?.qemu === 'current' && hook.network === 'current'
  const ipv4Of = (n: (typeof nics)[number]) =>
    n.forwardMode !== 'nat' || !n.subnet
      ? 'no IPv4 forwards (routed)'
      : n.staticIp
        ? `static ${n.staticIp}`
        : `no static mapping${n.leaseIp ? ` (lease ${n.leaseIp})` : ''}`
  const ipv6Of = (n: (typeof nics)[number]) =>
    !n.ipv6
      ? ''
      : n.ipv6.staticIp
        ? `, IPv6 static ${n.ipv6.staticIp}`
        : `, IPv6 no DHCPv6 mapping${n.ipv6.leaseIp ? ` (lease ${n.ipv6.leaseIp})` : ''}`
  const guests = nics.map((n) => ({
    value: `${n.guestUuid}/${n.network}`,
    label: `${n.guestName} on ${n.network} — ${ipv4Of(n)}${ipv6Of(n)}${n.running ? '' : ' (shut off)'}`,
    needsMapping: !n.staticIp,
  }))
  const range = (start: number, end: number) => formatRange({ start, end })

  return (
    <HostPageLayout host={host} current="forwards" error={error}>
      {!error && (
        <section className="card space-y-2 text-sm" aria-labelledby="host-state">
          <h2 id="host-state" className="text-lg font-semibold">
            On the host
          </h2>
          <p>
            libvirt firewall backend: <strong data-testid="firewall-backend">{backend}</strong>
          </p>
          {backend === 'nftables' && (
            <p className="text-slate-600 dark:text-slate-300" data-testid="nftables-explanation">
              {nftablesExplanation}
            </p>
          )}
          {hook && (
            <div>
              <p>
                Hook (re-applies the table when guests start or stop, and after libvirtd or a network restarts):{' '}
                <strong data-testid="hook-status">
                  {hookCurrent
                    ? 'installed, current'
                    : `guests ${hookLabel[hook.qemu]}, networks ${hookLabel[hook.network]}`}
                </strong>
              </p>
              {hook.log.length > 0 && (
                <details>
                  <summary className="cursor-pointer text-slate-600 dark:text-slate-300">Last hook runs</summary>
                  <pre className="mt-1 overflow-x-auto rounded bg-slate-50 dark:bg-slate-800 p-2 text-xs">
                    {hook.log.join('\n')}
                  </pre>
                </details>
              )}
              {canManage && !hookCurrent && (
                <div className="mt-2">
                  <ActionButton
                    action={installHookAction}
                    fields={{ hostId: host.id }}
                    label={hook.qemu === 'missing' ? 'Install hook' : 'Update hook'}
                  />
                  <span className="ml-2 text-slate-600 dark:text-slate-300">
                    Afterwards restart libvirtd once; running guests keep running.
                  </span>
                </div>
              )}
            </div>
          )}
          {drift && (
            <div data-testid="drift">
              {driftCount(drift) === 0 ? (
                <p>Rules on the host match the table.</p>
              ) : (
                <>
                  <p role="status" className="font-medium text-amber-800 dark:text-amber-300">
                    The host&apos;s rules differ from the table: {drift.missing.length} missing, {drift.foreign.length}{' '}
                    foreign
                    {drift.jumpProblems.length ? `, ${drift.jumpProblems.length} placement problem(s)` : ''}.
                  </p>
                  <ul className="list-disc pl-5 font-mono text-xs">
                    {drift.jumpProblems.map((p) => (
                      <li key={p}>{p}</li>
                    ))}
                    {drift.missing.map((r) => (
                      <li key={`m${r.table}${r.rule}`}>
                        missing ({r.table}): {r.rule}
                      </li>
                    ))}
                    {drift.foreign.map((r) => (
                      <li key={`f${r.table}${r.rule}`}>
                        foreign ({r.table}): {r.rule}
                      </li>
                    ))}
                  </ul>
                  {canManage && (
                    <ActionButton action={reconcileForwardsAction} fields={{ hostId: host.id }} label="Reconcile" />
                  )}
                </>
              )}
            </div>
          )}
        </section>
      )}

      <DataTable
        testId="forwards-table"
        columns={[
          'Protocol',
          'Family',
          'Host port',
          'Guest',
          'Guest port',
          'Listen on',
          'Allowed sources',
          'Description',
          'Owner',
          canManage && 'Actions',
        ]}
        empty={forwards.length === 0 && 'No port forwards on this host.'}
      >
        {forwards.map((f) => (
          <tr key={f.id}>
            <td>{f.protocol.toUpperCase()}</td>
            <td data-testid="forward-family">{f.family === 'ipv6' ? 'IPv6' : 'IPv4'}</td>
            <td className="font-mono">{range(f.hostPortStart, f.hostPortEnd)}</td>
            <td>
              {f.guestName} <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{f.guestIp}</span>
            </td>
            <td className="font-mono">{range(f.guestPortStart, f.guestPortEnd)}</td>
            <td className="font-mono">{f.hostAddress ?? 'all addresses'}</td>
            <td className="font-mono text-xs">{f.sourceCidrs ? f.sourceCidrs.split(',').join(', ') : 'anyone'}</td>
            <td>{f.description}</td>
            <td>{f.ownerName}</td>
            {canManage && (
              <td>
                <ActionButton
                  action={removeForwardAction}
                  fields={{ hostId: host.id, forwardId: f.id }}
                  label="Remove"
                  confirm={{
                    title: `Remove the forward of port ${range(f.hostPortStart, f.hostPortEnd)}/${f.protocol}?`,
                    consequences: `${f.guestName} (${f.guestIp}) is no longer reachable on host port ${range(f.hostPortStart, f.hostPortEnd)}/${f.protocol}: its rules leave the host at once and open connections through it stop.${f.ownerName ? ` It belongs to ${f.ownerName}.` : ''}`,
                    confirmLabel: 'Remove forward',
                  }}
                  className="btn btn-sm btn-danger"
                />
              </td>
            )}
          </tr>
        ))}
      </DataTable>

      {canManage && !error && (
        <section className="card max-w-2xl">
          <h2 className="mb-3 text-lg font-semibold">Add a forward</h2>
          {guests.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-300">
              No guest of this host has an interface on a running NAT network (or, for IPv6, a routed one with IPv6).
            </p>
          ) : (
            <ForwardForm
              action={addForwardAction}
              hostId={host.id}
              guests={guests}
              hostAddresses={hostAddresses.map((a) => ({
                value: a.address,
                label: `${a.interface} (${a.family === 'ipv6' ? 'IPv6' : 'IPv4'})`,
              }))}
              full
            />
          )}
          <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
            Forwards work on the host&apos;s own addresses, from outside and from the host itself (not via 127.0.0.1),
            and from other guests (hairpin).
          </p>
        </section>
      )}
    </HostPageLayout>
  )
}
