import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { dashboardKeyPageData } from '@/lib/hosts/dashboard-key'
import { ActionForm } from '@/app/ui/action-form'
import { Breadcrumbs } from '@/app/ui/breadcrumbs'
import {
  discardDashboardKeyAction,
  generateDashboardKeyAction,
  rotateDashboardKeyAction,
  testDashboardKeyAction,
} from './actions'

export const metadata: Metadata = { title: 'Rotate dashboard key' }

function PublicKey({ value, testId }: { value: string; testId: string }) {
  return (
    <pre
      className="overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-3 font-mono text-xs text-slate-100"
      data-testid={testId}
    >
      {value}
    </pre>
  )
}

export default async function DashboardKeyPage() {
  await authorizePage('manageHosts')
  const { current, pending, tested, unconfirmed } = await dashboardKeyPageData()
  return (
    <div className="space-y-6">
      <Breadcrumbs trail={[{ label: 'Hosts', href: '/hosts' }, { label: 'Rotate dashboard key' }]} />
      <header>
        <h1 className="text-2xl font-semibold">Rotate dashboard key</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Replace the SSH key the dashboard logs in with, without losing a host: generate a new key, authorize it on
          every host, test it, then switch. The old key stays in use until every host with a confirmed key accepts the
          new one.
        </p>
      </header>
      <section className="card space-y-2" aria-labelledby="current-key-heading">
        <h2 id="current-key-heading" className="text-lg font-semibold">
          Key in use
        </h2>
        <p className="font-mono text-xs" data-testid="current-key-fingerprint">
          {current.fingerprint}
        </p>
        <PublicKey value={current.publicKey} testId="current-public-key" />
      </section>
      <section className="card space-y-3" aria-labelledby="new-key-heading">
        <h2 id="new-key-heading" className="text-lg font-semibold">
          New key
        </h2>
        {pending ? (
          <>
            <p className="text-sm text-slate-600 dark:text-slate-300">
              Add this public key to <span className="code">~/.ssh/authorized_keys</span> of the SSH user on every host
              (beside the key in use), then test it. Hosts tested: {tested.join(', ') || 'none'}.
              {unconfirmed.length > 0 &&
                ` Not tested (host key not confirmed): ${unconfirmed.join(', ')} — authorize the new key there too.`}
            </p>
            <p className="font-mono text-xs" data-testid="new-key-fingerprint">
              {pending.fingerprint}
            </p>
            <PublicKey value={pending.publicKey} testId="new-public-key" />
            <div className="grid gap-4 md:grid-cols-3">
              <ActionForm
                action={testDashboardKeyAction}
                fields={{ fingerprint: pending.fingerprint }}
                label="Test the new key on every host"
                pendingLabel="Testing…"
              />
              <ActionForm
                action={rotateDashboardKeyAction}
                fields={{ fingerprint: pending.fingerprint }}
                label="Switch to the new key"
                pendingLabel="Testing and switching…"
                className="btn btn-primary"
              />
              <ActionForm
                action={discardDashboardKeyAction}
                fields={{ fingerprint: pending.fingerprint }}
                label="Discard the new key"
                pendingLabel="Discarding…"
                confirm={{
                  title: 'Discard the new key?',
                  consequences:
                    'The new key pair is deleted from Virtnet and cannot be switched to; the key in use stays. Hosts where its public key was already added keep it in authorized_keys until you remove it there.',
                  confirmLabel: 'Discard key',
                }}
              />
            </div>
          </>
        ) : (
          <ActionForm
            action={generateDashboardKeyAction}
            fields={{}}
            label="Generate a new key"
            pendingLabel="Generating…"
          />
        )}
      </section>
    </div>
  )
}
