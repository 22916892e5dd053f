import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { roleLabels, isRole } from '@/lib/auth/roles'
import { usersPageData } from '@/lib/users/read'
import { ActionButton } from '@/app/ui/action-button'
import { ActionForm } from '@/app/ui/action-form'
import { endSessionsAction, resetPasswordAction, setUserDisabledAction, unassignGuestAction } from './actions'
import { AssignGuestForm, CreateUserForm, LimitsForm, RoleForm } from './user-forms'

export const metadata: Metadata = { title: 'Users' }

export default async function UsersPage() {
  const me = await authorizePage('manageUsers')
  const { users, hosts } = await usersPageData()
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <section className="card">
        <h2 className="mb-3 text-lg font-semibold">Create a user</h2>
        <CreateUserForm />
      </section>
      <section className="space-y-3">
        {users.map((u) => (
          <article key={u.id} className="card space-y-3" aria-label={u.username} data-testid={`user-${u.username}`}>
            <h2 className="font-semibold">
              {u.username}{' '}
              <span className="text-sm font-normal text-slate-500">{isRole(u.role) ? roleLabels[u.role] : u.role}</span>
              {u.disabledAt && <span className="badge ml-2 bg-red-50 text-red-800">disabled</span>}
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
            {u.role === 'selfservice' && (
              <>
                <LimitsForm userId={u.id} username={u.username} limits={u.selfServiceLimit} />
                <ul className="text-sm">
                  {u.selfServiceGuests.length === 0 && <li className="text-slate-500">No guests assigned.</li>}
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
    </div>
  )
}
