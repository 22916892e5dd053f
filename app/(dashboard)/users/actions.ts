'use server'

import { revalidatePath } from 'next/cache'
import { fromForm, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import {
  AssignGuestSchema,
  CreateUserSchema,
  GrantRefSchema,
  LimitsSchema,
  SecondFactorPolicySchema,
  UserDisabledSchema,
  UserRefSchema,
  UserRoleSchema,
} from '@/lib/users/schemas'
import { resetSecondFactor, setSecondFactorPolicy } from '@/lib/users/second-factor'
import {
  assignGuest,
  changeUserRole,
  createUserWithRole,
  endUserSessions,
  resetUserPassword,
  setSelfServiceLimits,
  setUserDisabled,
  unassignGuest,
} from '@/lib/users/changes'
import { revokeApiToken, TokenRefSchema } from '@/lib/auth/api-tokens'
import { roleLabels } from '@/lib/auth/roles'

export async function createUserAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.create', 'manageUsers', CreateUserSchema, (d) => d.username),
    async ({ data }) => {
      await createUserWithRole(data.username, data.role, data.password)
      revalidatePath('/users')
      return `Created ${data.username} (${data.role}).`
    },
  )
}

export async function setLimitsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.selfservice-limits', 'manageUsers', LimitsSchema, (d) => d.userId),
    async ({ data }) => {
      const user = await setSelfServiceLimits(data.userId, data)
      revalidatePath('/users')
      return `${user.username} may forward host ports ${data.portMin}–${data.portMax}, at most ${data.maxForwards}.`
    },
  )
}

export async function assignGuestAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.assign-guest', 'manageUsers', AssignGuestSchema, (d) => d.guestName),
    async ({ data }) => {
      const { user, host, name } = await assignGuest(data.userId, data.hostId, data.guestName)
      revalidatePath('/users')
      return `Assigned ${name} on ${host.name} to ${user.username}.`
    },
  )
}

export async function unassignGuestAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.unassign-guest', 'manageUsers', GrantRefSchema, (d) => d.grantId),
    async ({ data }) => {
      const grant = await unassignGuest(data.grantId)
      revalidatePath('/users')
      return `${grant.guestName} is no longer assigned to ${grant.user.username}.`
    },
  )
}

export async function revokeAnyTokenAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'token.revoke', 'manageUsers', TokenRefSchema, (d) => d.tokenId),
    async ({ data }) => {
      const token = await revokeApiToken(data.tokenId)
      revalidatePath('/users')
      return `Revoked the token "${token.name}".`
    },
  )
}

export async function setUserRoleAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.set-role', 'manageUsers', UserRoleSchema, (d) => d.userId),
    async ({ data }) => {
      const user = await changeUserRole(data.userId, data.role)
      revalidatePath('/users')
      return `${user.username} is now ${roleLabels[data.role]}; their sessions ended.`
    },
  )
}

export async function setSecondFactorPolicyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.second-factor.policy', 'manageUsers', SecondFactorPolicySchema, (d) => d.role),
    async ({ data }) => {
      await setSecondFactorPolicy(data.role, data.required === 'yes')
      revalidatePath('/users')
      return data.required === 'yes'
        ? `Every ${data.role} user now signs in with a second factor; those without one set it up first.`
        : `A second factor is no longer required of ${data.role} users.`
    },
  )
}

export async function setUserDisabledAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.set-disabled', 'manageUsers', UserDisabledSchema, (d) => d.userId),
    async ({ data, user: actor }) => {
      const user = await setUserDisabled(data.userId, data.disabled, actor.id)
      revalidatePath('/users')
      return data.disabled
        ? `${user.username} is disabled: signed out everywhere, and sign-in is refused.`
        : `${user.username} may sign in again.`
    },
  )
}

export async function resetSecondFactorAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.second-factor.reset', 'manageUsers', UserRefSchema, (d) => d.userId),
    async ({ data }) => {
      const user = await resetSecondFactor(data.userId)
      revalidatePath('/users')
      return `${user.username}'s second factor is removed and their sessions ended; they set up a new one.`
    },
  )
}

export async function resetPasswordAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.reset-password', 'manageUsers', UserRefSchema, (d) => d.userId),
    async ({ data }) => {
      const { username, password } = await resetUserPassword(data.userId)
      revalidatePath('/users')
      return `New password of ${username}, shown only now: ${password} — their sessions ended; hand it over privately.`
    },
  )
}

export async function endSessionsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'user.end-sessions', 'manageUsers', UserRefSchema, (d) => d.userId),
    async ({ data }) => {
      const { username, count } = await endUserSessions(data.userId)
      revalidatePath('/users')
      return `${username} is signed out (${count} session${count === 1 ? '' : 's'} ended).`
    },
  )
}
