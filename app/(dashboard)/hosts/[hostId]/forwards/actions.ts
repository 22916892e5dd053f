'use server'

import { revalidatePath } from 'next/cache'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { requireConnectableHost, toTarget } from '@/lib/hosts/store'
import { AddForwardSchema, ForwardRefSchema, HostRefSchema } from '@/lib/forwards/schemas'
import { addForward, installHook, reconcileForwards, removeForward } from '@/lib/forwards/operations'
import { formatRange } from '@/lib/forwards/validate'

const connectableHost = async ({ hostId }: { hostId: string }) => (await requireConnectableHost(hostId)).row
const forwardsPath = (hostId: string) => `/hosts/${hostId}/forwards`

export async function addForwardAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'forward.add',
      permission: 'manageForwards',
      schema: AddForwardSchema,
      input: formData,
      host: connectableHost,
      target: (d) => `${formatRange(d.hostPort)}/${d.protocol}`,
    },
    async ({ data, host, user }) => {
      const forward = await addForward(host, toTarget(host), data, { id: user.id, username: user.username })
      revalidatePath(forwardsPath(host.id))
      return `Forwarding ${host.name}:${formatRange(data.hostPort)}/${data.protocol} to ${forward.guestName} (${forward.guestIp}:${formatRange(data.guestPort)}).`
    },
  )
}

export async function removeForwardAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'forward.remove',
      permission: 'manageForwards',
      schema: ForwardRefSchema,
      input: formData,
      host: connectableHost,
      target: (d) => d.forwardId,
    },
    async ({ data, host }) => {
      const forward = await removeForward(host, toTarget(host), data.forwardId)
      revalidatePath(forwardsPath(host.id))
      return `Removed the forward of port ${formatRange({ start: forward.hostPortStart, end: forward.hostPortEnd })}/${forward.protocol} to ${forward.guestName}.`
    },
  )
}

export async function reconcileForwardsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'forward.reconcile',
      permission: 'manageForwards',
      schema: HostRefSchema,
      input: formData,
      host: connectableHost,
      target: () => 'forward table',
    },
    async ({ host }) => {
      const count = await reconcileForwards(host, toTarget(host))
      revalidatePath(forwardsPath(host.id))
      return `Re-applied the table of ${count} forward${count === 1 ? '' : 's'}.`
    },
  )
}

export async function installHookAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'forward.install-hook',
      permission: 'manageForwards',
      schema: HostRefSchema,
      input: formData,
      host: connectableHost,
      target: () => 'libvirt hook',
    },
    async ({ host }) => {
      await installHook(toTarget(host))
      revalidatePath(forwardsPath(host.id))
      return `Installed the hook on ${host.name}. libvirt reads hooks when it starts: restart libvirtd once (running guests keep running).`
    },
  )
}
