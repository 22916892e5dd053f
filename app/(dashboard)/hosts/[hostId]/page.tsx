import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { allows } from '@/lib/auth/authorize'
import { authorizePage } from '@/lib/auth/authorize-page'
import { getHost, healthOf } from '@/lib/hosts/store'
import { offeredHostKey } from '@/lib/hosts/read'
import { SshError } from '@/lib/ssh'
import { ActionForm } from '@/app/ui/action-form'
import { ConfirmByNameForm } from '@/app/ui/confirm-by-name-form'
import { HealthDot, healthSummary } from '@/app/ui/health-dot'
import { HostHeader } from './host-tabs'
import { checkHostAction, confirmHostKeyAction, removeHostAction } from '../actions'

export const metadata: Metadata = { title: 'Host' }

async function offeredKeyOrError(host: NonNullable<Awaited<ReturnType<typeof getHost>>>) {
  try {
    return { key: await offeredHostKey(host), error: null }
  } catch (error) {
    return { key: null, error: error instanceof SshError ? error.message : 'The host could not be reached.' }
  }
}

export default async function HostPage({ params }: { params: Promise<{ hostId: string }> }) {
  const user = await authorizePage('viewHosts')
  const { hostId } = await params
  const host = await getHost(hostId)
  if (!host) notFound()
  const health = healthOf(host)
  const pinned = Boolean(host.pinnedFingerprint)
  const keyChanged = pinned && health?.error?.includes('host key') && health.error.includes('changed')
  const offered = !pinned || keyChanged ? await offeredKeyOrError(host) : null
  const summary = healthSummary(health, pinned)

  return (
    <div>
      <HostHeader host={host} current="overview" />
      <div className="grid gap-6 lg:grid-cols-2">
        <section className="card space-y-3" aria-labelledby="key-heading">
          <h2 id="key-heading" className="text-lg font-semibold">
            Host key
          </h2>
          {pinned && (
            <p className="text-sm">
              Pinned:{' '}
              <span className="code" data-testid="pinned-fingerprint">
                {host.pinnedFingerprint}
              </span>{' '}
              ({host.hostKeyType})
            </p>
          )}
          {offered?.error && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {offered.error}
            </p>
          )}
          {offered?.key && (
            <div className="space-y-2 rounded-md border border-amber-200 dark:border-amber-800 bg-amber-50 dark:bg-amber-950 p-3 text-sm">
              <p>
                {keyChanged ? 'The host now offers a different key:' : 'The host offers this key:'}{' '}
                <span className="code" data-testid="offered-fingerprint">
                  {offered.key.fingerprint}
                </span>{' '}
                ({offered.key.keyType})
              </p>
              <p className="text-slate-700 dark:text-slate-300">
                Compare it with the output of{' '}
                <span className="code">
                  ssh-keygen -lf /etc/ssh/ssh_host_{offered.key.keyType.replace(/^ssh-/, '')}_key.pub
                </span>{' '}
                on the host itself before confirming.
              </p>
              {allows(user, 'manageHosts') ? (
                <ActionForm
                  action={confirmHostKeyAction}
                  fields={{ hostId: host.id, fingerprint: offered.key.fingerprint }}
                  label="Confirm and pin this key"
                  pendingLabel="Confirming…"
                  className="btn btn-primary"
                />
              ) : (
                <p>Ask an administrator to confirm it.</p>
              )}
            </div>
          )}
        </section>
        <section className="card space-y-3" aria-labelledby="health-heading">
          <h2 id="health-heading" className="flex items-center gap-2 text-lg font-semibold">
            <HealthDot health={health} pinned={pinned} /> Health
          </h2>
          <p className="text-sm" data-testid="health-summary">
            {summary.text}
          </p>
          {health?.reachable && (
            <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
              <dt className="text-slate-500 dark:text-slate-400">Hostname</dt>
              <dd>{health.hostname}</dd>
              <dt className="text-slate-500 dark:text-slate-400">libvirt</dt>
              <dd>{health.libvirtVersion ?? 'not found'}</dd>
              <dt className="text-slate-500 dark:text-slate-400">IPv4 forwarding</dt>
              <dd>{health.ipForward ? 'on' : 'off'}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Port 53</dt>
              <dd>{health.dnsConflict ?? 'free for libvirt'}</dd>
              <dt className="text-slate-500 dark:text-slate-400">iptables</dt>
              <dd>{health.iptablesBackend}</dd>
              <dt className="text-slate-500 dark:text-slate-400">libvirt firewall</dt>
              <dd data-testid="libvirt-firewall">{health.libvirtFirewall}</dd>
              <dt className="text-slate-500 dark:text-slate-400">firewalld</dt>
              <dd>{health.firewalld ?? 'not checked'}</dd>
              <dt className="text-slate-500 dark:text-slate-400">Round trip</dt>
              <dd>{health.latencyMs} ms</dd>
            </dl>
          )}
          {health && (
            <p className="text-xs text-slate-500 dark:text-slate-400">
              Checked {new Date(health.checkedAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC
            </p>
          )}
          {pinned && allows(user, 'manageNetworks') && (
            <ActionForm
              action={checkHostAction}
              fields={{ hostId: host.id }}
              label="Test connection"
              pendingLabel="Checking…"
            />
          )}
        </section>
        {allows(user, 'manageHosts') && (
          <section className="card space-y-2 lg:col-span-2" aria-labelledby="remove-heading">
            <h2 id="remove-heading" className="text-lg font-semibold">
              Remove host
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-300">
              Removes the host from Virtnet only; nothing on the host changes.
            </p>
            <ConfirmByNameForm
              action={removeHostAction}
              fields={{ hostId: host.id }}
              expected={host.name}
              button="Remove host"
            />
          </section>
        )}
      </div>
    </div>
  )
}
