'use server'

import { revalidatePath } from 'next/cache'
import { z } from 'zod'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { SelfServiceAddSchema } from '@/lib/forwards/schemas'
import { addForward, removeForward } from '@/lib/forwards/operations'
import { limitsOf, requireOwnForward, requireOwnGuest } from '@/lib/forwards/selfservice'
import { formatRange } from '@/lib/forwards/validate'

// Self-service users reach only these two actions; both check that the guest or forward is theirs before anything
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
      const limits = await limitsOf(user.id)
      const forward = await addForward(
        host,
        toTarget(host),
        { ...data, hostAddress: null, createMapping: false },
        { id: user.id, username: user.username },
        { selfService: { limits } },
      )
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
      const forward = await removeForward(host, toTarget(host), data.forwardId, user.id)
      revalidatePath('/my')
      return `Removed the forward of port ${formatRange({ start: forward.hostPortStart, end: forward.hostPortEnd })}/${forward.protocol}.`
    },
  )
}
