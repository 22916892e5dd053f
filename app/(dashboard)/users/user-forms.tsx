'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FormStatus, RowStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { roleLabels, roles } from '@/lib/auth/roles'
import { SubmitButton } from '@/app/ui/submit-button'
import { assignGuestAction, createUserAction, setLimitsAction, setUserRoleAction } from './actions'

const roleOptions = roles.map((r) => ({ value: r, label: roleLabels[r] }))

export function CreateUserForm() {
  const [state, action, pending] = useActionState(createUserAction, initialFormState)
  return (
    <form action={action} className="grid grid-cols-3 items-end gap-3" noValidate>
      <TextField state={state} name="username" label="User name" autoComplete="off" />
      <SelectField state={state} name="role" label="Role" options={roleOptions} defaultValue="selfservice" />
      <TextField state={state} name="password" label="Initial password" type="password" autoComplete="new-password" />
      <div className="col-span-3 space-y-2">
        <FormStatus state={state} />
        <SubmitButton pending={pending}>Create user</SubmitButton>
      </div>
    </form>
  )
}

export function LimitsForm({
  userId,
  username,
  limits,
}: {
  userId: string
  username: string
  limits: { portMin: number; portMax: number; maxForwards: number } | null
}) {
  const [state, action, pending] = useActionState(setLimitsAction, initialFormState)
  // One form per user on the page: ids carry the user; errors are listed under the row.
  const field = (name: 'portMin' | 'portMax' | 'maxForwards') => ({
    state,
    name,
    id: `${name}-${userId}`,
    inlineError: false,
    inputMode: 'numeric' as const,
    defaultValue: limits ? String(limits[name]) : undefined,
  })
  return (
    <form
      action={action}
      className="flex flex-wrap items-end gap-2"
      aria-label={`Port limits of ${username}`}
      noValidate
    >
      <input type="hidden" name="userId" value={userId} />
      <TextField {...field('portMin')} label="Lowest host port" inputClassName="w-28" />
      <TextField {...field('portMax')} label="Highest host port" inputClassName="w-28" />
      <TextField {...field('maxForwards')} label="Max forwards" inputClassName="w-24" />
      <SubmitButton className="btn btn-sm" pending={pending}>
        Save limits
      </SubmitButton>
      <RowStatus state={state} fields={['portMin', 'portMax', 'maxForwards']} />
    </form>
  )
}

export function AssignGuestForm({
  userId,
  username,
  hosts,
}: {
  userId: string
  username: string
  hosts: Array<{ id: string; name: string }>
}) {
  const [state, action, pending] = useActionState(assignGuestAction, initialFormState)
  return (
    <form
      action={action}
      className="flex flex-wrap items-end gap-2"
      aria-label={`Assign a guest to ${username}`}
      noValidate
    >
      <input type="hidden" name="userId" value={userId} />
      <SelectField
        state={state}
        name="hostId"
        id={`hostId-${userId}`}
        label="Host"
        options={hosts.map((h) => ({ value: h.id, label: h.name }))}
        defaultValue={hosts[0]?.id}
        inlineError={false}
      />
      <TextField state={state} name="guestName" id={`guestName-${userId}`} label="Guest name" inlineError={false} />
      <SubmitButton className="btn btn-sm" pending={pending}>
        Assign guest
      </SubmitButton>
      <RowStatus state={state} fields={['hostId', 'guestName']} />
    </form>
  )
}

/** The user's role, changed in place; a change ends their sessions (they carried the old rights). */
export function RoleForm({ userId, username, role }: { userId: string; username: string; role: string }) {
  const [state, action, pending] = useActionState(setUserRoleAction, initialFormState)
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" aria-label={`Role of ${username}`} noValidate>
      <input type="hidden" name="userId" value={userId} />
      <SelectField
        state={state}
        name="role"
        id={`role-${userId}`}
        label="Role"
        inlineError={false}
        options={roleOptions}
        defaultValue={role}
        selectClassName="w-52"
      />
      <SubmitButton className="btn btn-sm" pending={pending}>
        Change role
      </SubmitButton>
      <RowStatus state={state} />
    </form>
  )
}
