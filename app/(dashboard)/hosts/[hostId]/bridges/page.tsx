import type { Metadata } from 'next'
import { allows } from '@/lib/auth/authorize'
import { bridgesPageData } from '@/lib/bridges/read'
import { DataTable } from '@/app/ui/data-table'
import { AttachGuestForm, BridgeNetworkForm, BridgeSettingsForm, CreateHostBridgeForm } from './bridge-forms'
import { HostPageLayout, loadHostPage } from '../host-page'

export const metadata: Metadata = { title: 'Bridges' }

const stackLabel = {
  ifupdown: 'ifupdown (/etc/network/interfaces)',
  networkmanager: 'NetworkManager',
  netplan: 'netplan (a file of its own under /etc/netplan)',
  networkd: 'systemd-networkd (files of its own under /etc/systemd/network)',
  other: 'neither ifupdown, NetworkManager, netplan nor systemd-networkd',
} as const

export default async function BridgesPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { user, data } = await loadHostPage(params, bridgesPageData)
  const { host, live, error } = data
  const { inventory, stack } = live ?? { inventory: null, stack: null }
  const hostBridges = inventory?.bridges.filter((b) => !b.natOnly) ?? []
  const candidates = inventory?.nics.filter((nic) => !nic.master && !nic.wireless) ?? []
  const attachTargets = [
    ...(inventory?.networks
      .filter((n) => n.forwardMode === 'bridge')
      .map((n) => ({ value: `network:${n.name}`, label: `network ${n.name}` })) ?? []),
    ...hostBridges.map((b) => ({ value: `bridge:${b.name}`, label: `bridge ${b.name} (directly)` })),
  ]
  return (
    <HostPageLayout host={host} current="bridges" error={error}>
      {inventory && (
        <>
          <DataTable
            testId="bridges-table"
            columns={['Bridge', 'Kind', 'Ports', 'Addresses', 'libvirt networks', 'Guests']}
            empty={inventory.bridges.length === 0 && 'No bridges on this host.'}
          >
            {inventory.bridges.map((bridge) => (
              <tr key={bridge.name}>
                <td className="font-mono">{bridge.name}</td>
                <td>
                  {bridge.natOnly ? (
                    <span
                      className="badge bg-amber-100 dark:bg-amber-900 text-amber-800 dark:text-amber-300"
                      title="Managed by libvirt: never add a physical NIC to it"
                    >
                      NAT-only (libvirt {bridge.managedBy})
                    </span>
                  ) : (
                    'host bridge'
                  )}
                </td>
                <td>{bridge.members.join(', ') || '–'}</td>
                <td>{bridge.addresses.join(', ') || '–'}</td>
                <td>{[...(bridge.managedBy ? [bridge.managedBy] : []), ...bridge.networks].join(', ') || '–'}</td>
                <td>{bridge.guests.join(', ') || '–'}</td>
              </tr>
            ))}
          </DataTable>

          {allows(user, 'manageNetworks') && (
            <section className="card space-y-3">
              <h2 className="text-lg font-semibold">Bridge-mode network</h2>
              <p className="text-sm text-slate-600 dark:text-slate-300">
                A libvirt network with forward mode bridge hands guests to an existing host bridge; libvirt manages no
                addresses on it.
              </p>
              <BridgeNetworkForm hostId={host.id} bridges={hostBridges.map((b) => b.name)} />
              <h3 className="font-medium">Attach a guest</h3>
              <AttachGuestForm hostId={host.id} guests={inventory.guests} targets={attachTargets} />
            </section>
          )}

          {allows(user, 'manageBridges') && (
            <>
              <section className="card space-y-3">
                <h2 className="text-lg font-semibold">New host bridge over a NIC</h2>
                <p className="text-sm text-slate-700 dark:text-slate-300">
                  This can cut Virtnet&apos;s SSH path to the host, so it is commit-confirm: before changing anything,
                  Virtnet schedules a revert on the host itself, which fires unless Virtnet logs in again afterwards and
                  confirms in time. Wireless NICs cannot join a bridge. Network stack on this host:{' '}
                  {stack ? stackLabel[stack] : 'unknown'}
                  {stack === 'other'
                    ? ' (Show plan lists the files to install to keep the bridge across reboots).'
                    : ' (once confirmed, the bridge is also persisted there).'}
                </p>
                <CreateHostBridgeForm hostId={host.id} nics={candidates.map((n) => n.name)} />
              </section>
              <section className="card space-y-3">
                <h2 className="text-lg font-semibold">Host settings for bridged guests</h2>
                <BridgeSettingsForm hostId={host.id} />
              </section>
            </>
          )}
        </>
      )}
    </HostPageLayout>
  )
}
