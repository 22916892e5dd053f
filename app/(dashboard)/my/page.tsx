import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { selfServicePageData } from '@/lib/forwards/selfservice'
import { formatRange } from '@/lib/forwards/validate'
import { ActionButton } from '@/app/ui/action-button'
import { DataTable } from '@/app/ui/data-table'
import { Notice } from '@/app/ui/form-status'
import { ForwardForm } from '../hosts/[hostId]/forwards/forward-form'
import { addMyForwardAction, removeMyForwardAction } from './actions'

export const metadata: Metadata = { title: 'My guests' }

export default async function MyPage() {
  await authorizePage('selfService')
  const { limits, grants, forwards, nics, errors } = await selfServicePageData()
  const range = (start: number, end: number) => formatRange({ start, end })
  const guests = nics.map((n) => ({
    value: `${n.guestUuid}/${n.network}`,
    label: `${n.guestName} (${n.hostName}, ${n.network})`,
    needsMapping: !n.staticIp,
  }))
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">My guests and port forwards</h1>
      {errors.map((e) => (
        <Notice key={e} tone="error">
          {e}
        </Notice>
      ))}
      <p className="text-sm" data-testid="my-limits">
        {limits
          ? `You may forward host ports ${limits.portMin}–${limits.portMax}, at most ${limits.maxForwards} forwards (you have ${forwards.length}).`
          : 'An administrator has not given you any host ports yet.'}
      </p>
      <DataTable
        testId="my-guests"
        columns={['Guest', 'Host', 'Network', 'Address', 'State']}
        empty={grants.length === 0 && 'No guest is assigned to you.'}
      >
        {grants.map((g) => {
          const nic = nics.find((n) => n.guestUuid === g.guestUuid && n.hostId === g.hostId)
          return (
            <tr key={g.id}>
              <td>{nic?.guestName ?? g.guestName}</td>
              <td>{g.host.name}</td>
              <td>{nic?.network ?? '—'}</td>
              <td className="font-mono">
                {nic?.staticIp ?? 'no fixed address'}
                {nic?.ipv6?.staticIp ? `, ${nic.ipv6.staticIp}` : ''}
              </td>
              <td>{nic ? (nic.running ? 'running' : 'shut off') : 'not on a NAT network'}</td>
            </tr>
          )
        })}
      </DataTable>
      <DataTable
        testId="my-forwards"
        columns={[
          'Protocol',
          'Family',
          'Host port',
          'Guest',
          'Guest port',
          'Allowed sources',
          'Description',
          'Actions',
        ]}
        empty={forwards.length === 0 && 'You have no port forwards.'}
      >
        {forwards.map((f) => (
          <tr key={f.id}>
            <td>{f.protocol.toUpperCase()}</td>
            <td>{f.family === 'ipv6' ? 'IPv6' : 'IPv4'}</td>
            <td className="font-mono">{range(f.hostPortStart, f.hostPortEnd)}</td>
            <td>{f.guestName}</td>
            <td className="font-mono">{range(f.guestPortStart, f.guestPortEnd)}</td>
            <td className="font-mono text-xs">{f.sourceCidrs ? f.sourceCidrs.split(',').join(', ') : 'anyone'}</td>
            <td>{f.description}</td>
            <td>
              <ActionButton
                action={removeMyForwardAction}
                fields={{ forwardId: f.id }}
                label="Remove"
                className="btn btn-sm btn-danger"
                confirm={{
                  title: `Remove the forward of port ${range(f.hostPortStart, f.hostPortEnd)}/${f.protocol}?`,
                  consequences: `${f.guestName} is no longer reachable on host port ${range(f.hostPortStart, f.hostPortEnd)}/${f.protocol}: its rules leave the host at once and open connections through it stop.`,
                  confirmLabel: 'Remove forward',
                }}
              />
            </td>
          </tr>
        ))}
      </DataTable>
      {guests.length > 0 && (
        <section className="card max-w-2xl">
          <h2 className="mb-3 text-lg font-semibold">Add a forward</h2>
          <ForwardForm action={addMyForwardAction} guests={guests} full={false} />
        </section>
      )}
    </div>
  )
}
