import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { roleLabels, roles, isRole } from '@/lib/auth/roles'
import { usersPageData } from '@/lib/users/read'
import { ActionButton } from '@/app/ui/action-button'
import {
  resetSecondFactorAction,
  revokeAnyTokenAction,
  setSecondFactorPolicyAction,
  unassignGuestAction,
} from './actions'
import { listAllTokens } from '@/lib/auth/api-tokens'
import { TokenList } from '../account/token-list'
import { AssignGuestForm, CreateUserForm, LimitsForm } from './user-forms'

export const metadata: Metadata = { title: 'Users' }

export default async function UsersPage() {
  await authorizePage('manageUsers')
  const { users, hosts, rolesRequiringSecondFactor } = await usersPageData()
  const tokens = await listAllTokens()
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <section className="card">
        <h2 className="mb-3 text-lg font-semibold">Create a user</h2>
        <CreateUserForm />
      </section>
      <section className="card" aria-label="Second factor policy">
        <h2 className="mb-1 text-lg font-semibold">Second factor</h2>
        <p className="mb-3 text-sm text-slate-600">
          Users of a role that requires it sign in with a code from an authenticator app; those without one set it up
          before anything else.
        </p>
        <ul className="space-y-1 text-sm">
          {roles.map((role) => {
            const required = rolesRequiringSecondFactor.has(role)
            return (
              <li key={role} className="flex items-center gap-2" data-testid={`second-factor-policy-${role}`}>
                <span className="w-48">{roleLabels[role]}</span>
                <span className="w-24">{required ? 'Required' : 'Optional'}</span>
                <ActionButton
                  action={setSecondFactorPolicyAction}
                  fields={{ role, required: required ? 'no' : 'yes' }}
                  label={required ? 'Stop requiring' : 'Require'}
                />
              </li>
            )
          })}
        </ul>
      </section>
      <section className="space-y-3">
        {users.map((u) => (
          <article key={u.id} className="card space-y-3" aria-label={u.username} data-testid={`user-${u.username}`}>
            <h2 className="font-semibold">
              {u.username}{' '}
              <span className="text-sm font-normal text-slate-500">{isRole(u.role) ? roleLabels[u.role] : u.role}</span>
            </h2>
            <p className="flex items-center gap-2 text-sm">
              {u.totpEnabledAt ? 'Second factor set up.' : 'No second factor.'}
              {(u.totpEnabledAt || u.totpPendingSecret) && (
                <ActionButton
                  action={resetSecondFactorAction}
                  fields={{ userId: u.id }}
                  label="Reset second factor"
                  confirm={`Remove ${u.username}'s second factor and end their sessions?`}
                />
              )}
            </p>
            {u.role === 'selfservice' && (
              <>
                <LimitsForm userId={u.id} username={u.username} limits={u.selfServiceLimit} />
                <ul className="text-sm">
                  {u.selfServiceGuests.length === 0 && <li className="text-slate-500">No guests assigned.</li>}
                  {u.selfServiceGuests.map((g) => (
                    <li key={g.id} className="flex items-center gap-2">
                      {g.guestName} on {g.host.name}
                      <ActionButton action={unassignGuestAction} fields={{ grantId: g.id }} label="Unassign" />
                    </li>
                  ))}
                </ul>
                {hosts.length > 0 && <AssignGuestForm userId={u.id} username={u.username} hosts={hosts} />}
              </>
            )}
          </article>
        ))}
      </section>
      <section className="card space-y-3" aria-label="Every API token">
        <h2 className="text-lg font-semibold">API tokens of every user</h2>
        <TokenList tokens={tokens} revoke={revokeAnyTokenAction} showOwner />
      </section>
    </div>
  )
}
