'use server'

import { revalidatePath } from 'next/cache'
import { z } from 'zod'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { SelfServiceAddSchema, SetMyGuestForwardsSchema } from '@/lib/forwards/schemas'
import {
  addOwnForward,
  removeOwnForward,
  requireOwnForward,
  requireOwnGuest,
  setOwnGuestForwards,
} from '@/lib/forwards/selfservice'
import { formatRange } from '@/lib/forwards/validate'

// Self-service users reach only these actions; both check that the guest or forward is theirs before anything
// touches a host, and runAction audits every request, granted or refused.

export async function addMyForwardAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'forward.selfservice.add',
      permission: 'selfService',
      schema: SelfServiceAddSchema,
      input: formData,
      host: (d, user) => requireOwnGuest(user, d.guest.split('/')[0]!),
      target: (d) => `${formatRange(d.hostPort)}/${d.protocol}`,
    },
    async ({ data, host, user }) => {
      const forward = await addOwnForward(user, host, data)
      revalidatePath('/my')
      return `Forwarding ${host.name}:${formatRange(data.hostPort)}/${data.protocol} to ${forward.guestName} port ${formatRange(data.guestPort)}.`
    },
  )
}

const RemoveSchema = z.object({ forwardId: z.string().min(1).max(64) })

export async function removeMyForwardAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'forward.selfservice.remove',
      permission: 'selfService',
      schema: RemoveSchema,
      input: formData,
      host: (d, user) => requireOwnForward(user, d.forwardId),
      target: (d) => d.forwardId,
    },
    async ({ data, host, user }) => {
      const forward = await removeOwnForward(user, host, data.forwardId)
      revalidatePath('/my')
      return `Removed the forward of port ${formatRange({ start: forward.hostPortStart, end: forward.hostPortEnd })}/${forward.protocol}.`
    },
  )
}

/** Makes the user's own forwards of one of their guests exactly the posted list (the API's PUT). */
export async function setMyGuestForwardsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'forward.selfservice.set',
      permission: 'selfService',
      schema: SetMyGuestForwardsSchema,
      input: formData,
      host: (d, user) => requireOwnGuest(user, d.guest),
      target: (d) => d.guest,
    },
    async ({ data, host, user }) => {
      const report = await setOwnGuestForwards(user, host, data)
      revalidatePath('/my')
      return {
        message: `Forwards set: ${report.added.length} added, ${report.removed.length} removed, ${report.unchanged.length} unchanged.`,
        detail: { kind: 'guest-forwards', ...report },
      }
    },
  )
}
