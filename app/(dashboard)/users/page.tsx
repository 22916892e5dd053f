import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { roleLabels, isRole } from '@/lib/auth/roles'
import { usersPageData } from '@/lib/users/read'
import { ActionButton } from '@/app/ui/action-button'
import { unassignGuestAction } from './actions'
import { AssignGuestForm, CreateUserForm, LimitsForm } from './user-forms'

export const metadata: Metadata = { title: 'Users' }

export default async function UsersPage() {
  await authorizePage('manageUsers')
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
            </h2>
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
