import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { roleLabels, roles, isRole } from '@/lib/auth/roles'
import { usersPageData } from '@/lib/users/read'
import { ActionButton } from '@/app/ui/action-button'
import { ActionForm } from '@/app/ui/action-form'
import {
  endSessionsAction,
  resetPasswordAction,
  resetSecondFactorAction,
  revokeAnyTokenAction,
  setSecondFactorPolicyAction,
  setUserDisabledAction,
  unassignGuestAction,
} from './actions'
import { listAllTokens } from '@/lib/auth/api-tokens'
import { TokenList } from '../account/token-list'
import { AssignGuestForm, CreateUserForm, LimitsForm, RoleForm } from './user-forms'

export const metadata: Metadata = { title: 'Users' }

export default async function UsersPage() {
  const me = await authorizePage('manageUsers')
  const { users, hosts, rolesRequiringSecondFactor } = await usersPageData()
  const tokens = await listAllTokens()
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <section className="card" aria-label="Create a user">
        <h2 className="mb-3 text-lg font-semibold">Create a user</h2>
        <CreateUserForm />
      </section>
      <section className="card" aria-label="Second factor policy">
        <h2 className="mb-1 text-lg font-semibold">Second factor</h2>
        <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">
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
              <span className="text-sm font-normal text-slate-500 dark:text-slate-400">
                {isRole(u.role) ? roleLabels[u.role] : u.role}
              </span>
              {u.disabledAt && (
                <span className="badge ml-2 bg-red-50 dark:bg-red-950 text-red-800 dark:text-red-300">disabled</span>
              )}
            </h2>
            <div className="flex flex-wrap items-end gap-3">
              <RoleForm userId={u.id} username={u.username} role={u.role} />
              {u.id !== me.id && (
                <ActionForm
                  action={setUserDisabledAction}
                  fields={{ userId: u.id, disabled: String(!u.disabledAt) }}
                  label={u.disabledAt ? 'Enable' : 'Disable'}
                  className={u.disabledAt ? 'btn btn-sm' : 'btn btn-sm btn-danger'}
                  confirm={
                    u.disabledAt
                      ? undefined
                      : {
                          title: `Disable ${u.username}?`,
                          consequences: `${u.username} is signed out everywhere at once and cannot sign in until enabled again; their forwards and guests stay as they are.`,
                          confirmLabel: 'Disable user',
                        }
                  }
                />
              )}
              <ActionForm
                action={resetPasswordAction}
                fields={{ userId: u.id }}
                label="Reset password"
                className="btn btn-sm"
                confirm={{
                  title: `Reset the password of ${u.username}?`,
                  consequences: `${u.username}'s password is replaced by a random one, shown to you once only, and every session they hold ends: they are signed out until they sign in with it.`,
                  confirmLabel: 'Reset password',
                }}
              />
              <ActionButton
                action={endSessionsAction}
                fields={{ userId: u.id }}
                label="End sessions"
                confirm={{
                  title: `End every session of ${u.username}?`,
                  consequences: `${u.username} is signed out in every browser${u.id === me.id ? ', this one included' : ''}; they may sign in again.`,
                  confirmLabel: 'End sessions',
                }}
              />
            </div>
            <p className="flex items-center gap-2 text-sm">
              {u.totpEnabledAt ? 'Second factor set up.' : 'No second factor.'}
              {(u.totpEnabledAt || u.totpPendingSecret) && (
                <ActionButton
                  action={resetSecondFactorAction}
                  fields={{ userId: u.id }}
                  label="Reset second factor"
                  confirm={{
                    title: `Reset the second factor of ${u.username}?`,
                    consequences: `${u.username}'s authenticator and recovery codes stop working and every session they hold ends; they set up a new second factor at their next sign-in.`,
                    confirmLabel: 'Reset second factor',
                  }}
                />
              )}
            </p>
            {u.role === 'selfservice' && (
              <>
                <LimitsForm userId={u.id} username={u.username} limits={u.selfServiceLimit} />
                <ul className="text-sm">
                  {u.selfServiceGuests.length === 0 && (
                    <li className="text-slate-500 dark:text-slate-400">No guests assigned.</li>
                  )}
                  {u.selfServiceGuests.map((g) => (
                    <li key={g.id} className="flex items-center gap-2">
                      {g.guestName} on {g.host.name}
                      <ActionButton
                        action={unassignGuestAction}
                        fields={{ grantId: g.id }}
                        label="Unassign"
                        confirm={{
                          title: `Unassign ${g.guestName} from ${u.username}?`,
                          consequences: `${u.username} no longer sees ${g.guestName} on ${g.host.name} on their page and can add no new port forwards to it.`,
                          confirmLabel: 'Unassign guest',
                        }}
                      />
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
