import type { Metadata } from 'next'
import { allows } from '@/lib/auth/authorize'
import { sriovPageData } from '@/lib/sriov/read'
import { ActionButton } from '@/app/ui/action-button'
import { DataTable } from '@/app/ui/data-table'
import { autostartPoolAction, deletePoolAction, releaseAction, startPoolAction } from './actions'
import { AssignForm, CreatePoolForm, SetVfCountForm } from './sriov-forms'
import { HostPageLayout, loadHostPage } from '../host-page'

export const metadata: Metadata = { title: 'SR-IOV' }

const onOff = (value: boolean | null) => (value === null ? '–' : value ? 'on' : 'off')
const howLabel = { 'interface-hostdev': 'pinned VF', hostdev: 'PCI hostdev', pool: 'pool' } as const

export default async function SriovPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { user, data } = await loadHostPage(params, sriovPageData)
  const { host, live: inventory, error } = data
  const canManage = allows(user, 'manageSriov')
  const freeVfs =
    inventory?.pfs.flatMap((pf) => pf.vfs.filter((vf) => !vf.heldBy).map((vf) => ({ pf: pf.name, vf }))) ?? []
  const targets = [
    ...(inventory?.pools ?? []).map((pool) => ({ value: `pool:${pool.name}`, label: `pool ${pool.name}` })),
    ...freeVfs.map(({ pf, vf }) => ({ value: `vf:${vf.pci}`, label: `VF ${vf.index} of ${pf} (${vf.pci})` })),
  ]
  // Pool interfaces, and PCI devices that are VFs of this host's PFs (a plain <hostdev> may be any PCI device, e.g. a GPU).
  const vfPcis = new Set(inventory?.pfs.flatMap((pf) => pf.vfs.map((vf) => vf.pci)) ?? [])
  const sriovClaims =
    inventory?.claims.filter((c) =>
      c.how === 'pool'
        ? inventory.pools.some((p) => p.name === c.network)
        : c.how === 'interface-hostdev' || vfPcis.has(c.pci),
    ) ?? []

  return (
    <HostPageLayout host={host} current="sriov" error={error}>
      {inventory && (
        <>
          <section className="card space-y-3" data-testid="sriov-pfs">
            <h2 className="text-lg font-semibold">Physical functions</h2>
            {inventory.pfs.length === 0 && (
              <p className="text-sm text-slate-600 dark:text-slate-300">
                No network device on this host reports SR-IOV (no sriov_totalvfs in sysfs).
              </p>
            )}
            {inventory.pfs.map((pf) => (
              <div key={pf.name} className="space-y-2">
                <h3 className="font-medium">
                  {pf.name} <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{pf.pci}</span> ·{' '}
                  {pf.numVfs} of {pf.totalVfs} VFs enabled
                  {pf.pools.length > 0 && ` · pools: ${pf.pools.join(', ')}`}
                </h3>
                {pf.vfs.length > 0 && (
                  <DataTable
                    frame="none"
                    columns={['VF', 'PCI address', 'Host interface', 'MAC', 'VLAN', 'Spoof check', 'Trust', 'Held by']}
                  >
                    {pf.vfs.map((vf) => (
                      <tr key={vf.pci}>
                        <td>{vf.index}</td>
                        <td className="font-mono">{vf.pci}</td>
                        <td>{vf.netdev ?? '–'}</td>
                        <td className="font-mono">{vf.mac ?? '–'}</td>
                        <td>{vf.vlan ?? '–'}</td>
                        <td>{onOff(vf.spoofCheck)}</td>
                        <td>{onOff(vf.trust)}</td>
                        <td>{vf.heldBy ? `${vf.heldBy.guest} (${howLabel[vf.heldBy.how]})` : 'free'}</td>
                      </tr>
                    ))}
                  </DataTable>
                )}
                {canManage && <SetVfCountForm hostId={host.id} pf={pf.name} current={pf.numVfs} total={pf.totalVfs} />}
              </div>
            ))}
          </section>

          <section className="card space-y-3">
            <h2 className="text-lg font-semibold">Pools</h2>
            <DataTable
              testId="sriov-pools"
              frame="none"
              columns={[
                'Name',
                'PF',
                'State',
                'Autostart',
                'Connections',
                'VFs libvirt found',
                'Guests',
                canManage && 'Actions',
              ]}
              empty={inventory.pools.length === 0 && 'No hostdev pool networks.'}
            >
              {inventory.pools.map((pool) => {
                const fields = { hostId: host.id, name: pool.name }
                return (
                  <tr key={pool.name}>
                    <td>{pool.name}</td>
                    <td>{pool.pf ?? '–'}</td>
                    <td>{pool.active ? 'active' : 'inactive'}</td>
                    <td>{pool.autostart ? 'on' : 'off'}</td>
                    <td>{pool.connections ?? (pool.active ? 0 : '–')}</td>
                    <td className="font-mono text-xs">{pool.vfAddresses.join(' ') || '–'}</td>
                    <td>{pool.guests.join(', ') || '–'}</td>
                    {canManage && (
                      <td className="space-x-1 whitespace-nowrap">
                        {!pool.active && <ActionButton action={startPoolAction} fields={fields} label="Start" />}
                        <ActionButton
                          action={autostartPoolAction}
                          fields={{ ...fields, enabled: String(!pool.autostart) }}
                          label={pool.autostart ? 'No autostart' : 'Autostart'}
                        />
                        <ActionButton
                          action={deletePoolAction}
                          fields={fields}
                          label="Delete"
                          className="btn btn-sm btn-danger"
                          confirm={{
                            title: `Delete the pool ${pool.name}?`,
                            consequences: pool.guests.length
                              ? `${pool.guests.join(', ')} still have interfaces on ${pool.name}: Virtnet refuses until they are released.`
                              : `The hostdev network ${pool.name}${pool.pf ? ` over ${pool.pf}` : ''} is ${pool.active ? 'stopped and ' : ''}undefined; no guest uses it, and its VFs stay on the host for other pools or pinned assignments.`,
                            confirmLabel: 'Delete pool',
                          }}
                        />
                      </td>
                    )}
                  </tr>
                )
              })}
            </DataTable>
            {canManage && <CreatePoolForm hostId={host.id} pfs={inventory.pfs.map((pf) => pf.name)} />}
          </section>

          <section className="card space-y-3">
            <h2 className="text-lg font-semibold">Guest assignments</h2>
            <DataTable
              testId="sriov-assignments"
              frame="none"
              columns={['Guest', 'How', 'Pool / VF', 'MAC', canManage && 'Actions']}
              empty={sriovClaims.length === 0 && 'No guest uses SR-IOV here.'}
            >
              {sriovClaims.map((claim, index) => (
                <tr key={index}>
                  <td>{claim.guest}</td>
                  <td>{howLabel[claim.how]}</td>
                  <td className="font-mono">{claim.how === 'pool' ? claim.network : claim.pci}</td>
                  <td className="font-mono">{claim.mac ?? '–'}</td>
                  {canManage && (
                    <td>
                      {claim.mac && claim.how !== 'hostdev' && (
                        <ActionButton
                          action={releaseAction}
                          fields={{ hostId: host.id, guest: claim.guest, mac: claim.mac }}
                          label="Release"
                          className="btn btn-sm btn-danger"
                          confirm={{
                            title: `Release ${claim.guest}'s VF?`,
                            consequences: `${claim.guest} loses its SR-IOV interface ${claim.mac} (${claim.how === 'pool' ? `from the pool ${claim.network}` : `the pinned VF ${claim.pci}`}): it is detached from the guest's definition${' '}and, when the guest runs, unplugged now. The VF goes back to the host.`,
                            confirmLabel: 'Release VF',
                          }}
                        />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </DataTable>
            {canManage && (
              <>
                <p className="text-sm text-slate-600 dark:text-slate-300">
                  A pool hands the guest any free VF of its PF; a pinned VF is always the same PCI device. The MAC is
                  written into the guest&apos;s definition, so it stays the same across host reboots.
                </p>
                <AssignForm hostId={host.id} guests={inventory.guests} targets={targets} />
              </>
            )}
          </section>
        </>
      )}
    </HostPageLayout>
  )
}
