'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'
import { roleLabels, roles } from '@/lib/auth/roles'
import { assignGuestAction, createUserAction, setLimitsAction } from './actions'

export function CreateUserForm() {
  const [state, action, pending] = useActionState(createUserAction, initialFormState)
  return (
    <form action={action} className="grid grid-cols-3 items-end gap-3" noValidate>
      <div>
        <label className="label" htmlFor="username">
          User name
        </label>
        <input className="input" autoComplete="off" {...fieldProps(state, 'username')} />
        <FieldError state={state} name="username" />
      </div>
      <div>
        <label className="label" htmlFor="role">
          Role
        </label>
        <select className="input" {...fieldProps(state, 'role', 'selfservice')}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabels[r]}
            </option>
          ))}
        </select>
        <FieldError state={state} name="role" />
      </div>
      <div>
        <label className="label" htmlFor="password">
          Initial password
        </label>
        <input className="input" type="password" autoComplete="new-password" {...fieldProps(state, 'password')} />
        <FieldError state={state} name="password" />
      </div>
      <div className="col-span-3 space-y-2">
        <FormStatus state={state} />
        <button className="btn btn-primary" disabled={pending}>
          Create user
        </button>
      </div>
    </form>
  )
}

export function LimitsForm({ userId, username, limits }: { userId: string; username: string; limits: { portMin: number; portMax: number; maxForwards: number } | null }) {
  const [state, action, pending] = useActionState(setLimitsAction, initialFormState)
  const id = (name: string) => ({ ...fieldProps(state, name), id: `${name}-${userId}` })
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" aria-label={`Port limits of ${username}`} noValidate>
      <input type="hidden" name="userId" value={userId} />
      <div>
        <label className="label" htmlFor={`portMin-${userId}`}>
          Lowest host port
        </label>
        <input className="input w-28" inputMode="numeric" {...id('portMin')} defaultValue={state.values?.portMin ?? limits?.portMin} />
      </div>
      <div>
        <label className="label" htmlFor={`portMax-${userId}`}>
          Highest host port
        </label>
        <input className="input w-28" inputMode="numeric" {...id('portMax')} defaultValue={state.values?.portMax ?? limits?.portMax} />
      </div>
      <div>
        <label className="label" htmlFor={`maxForwards-${userId}`}>
          Max forwards
        </label>
        <input className="input w-24" inputMode="numeric" {...id('maxForwards')} defaultValue={state.values?.maxForwards ?? limits?.maxForwards} />
      </div>
      <button className="btn btn-sm" disabled={pending}>
        Save limits
      </button>
      <div className="w-full">
        <FieldError state={state} name="portMin" />
        <FieldError state={state} name="portMax" />
        <FieldError state={state} name="maxForwards" />
        <FormStatus state={state} />
      </div>
    </form>
  )
}

export function AssignGuestForm({ userId, username, hosts }: { userId: string; username: string; hosts: Array<{ id: string; name: string }> }) {
  const [state, action, pending] = useActionState(assignGuestAction, initialFormState)
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" aria-label={`Assign a guest to ${username}`} noValidate>
      <input type="hidden" name="userId" value={userId} />
      <div>
        <label className="label" htmlFor={`hostId-${userId}`}>
          Host
        </label>
        <select className="input" {...fieldProps(state, 'hostId', hosts[0]?.id)} id={`hostId-${userId}`}>
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label className="label" htmlFor={`guestName-${userId}`}>
          Guest name
        </label>
        <input className="input" {...fieldProps(state, 'guestName')} id={`guestName-${userId}`} />
      </div>
      <button className="btn btn-sm" disabled={pending}>
        Assign guest
      </button>
      <div className="w-full">
        <FieldError state={state} name="hostId" />
        <FieldError state={state} name="guestName" />
        <FormStatus state={state} />
      </div>
    </form>
  )
}
