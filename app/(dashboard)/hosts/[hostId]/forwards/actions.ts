'use server'

import { revalidatePath } from 'next/cache'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { AddForwardSchema, ForwardRefSchema, HostRefSchema, SetGuestForwardsSchema } from '@/lib/forwards/schemas'
import {
  addForward,
  installHook,
  reconcileForwards,
  removeForward,
  setGuestForwards,
  type GuestForwardsReport,
} from '@/lib/forwards/changes'
import { formatRange } from '@/lib/forwards/validate'

const forwardsPath = (hostId: string) => `/hosts/${hostId}/forwards`

export async function addForwardAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(
      formData,
      'forward.add',
      'manageForwards',
      AddForwardSchema,
      (d) => `${formatRange(d.hostPort)}/${d.protocol}`,
    ),
    async ({ data, host, user }) => {
      const forward = await addForward(host, toTarget(host), data, { id: user.id, username: user.username })
      revalidatePath(forwardsPath(host.id))
      return `Forwarding ${host.name}:${formatRange(data.hostPort)}/${data.protocol} to ${forward.guestName} (${forward.guestIp}:${formatRange(data.guestPort)}).`
    },
  )
}

export async function removeForwardAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'forward.remove', 'manageForwards', ForwardRefSchema, (d) => d.forwardId),
    async ({ data, host }) => {
      const forward = await removeForward(host, toTarget(host), data.forwardId)
      revalidatePath(forwardsPath(host.id))
      return `Removed the forward of port ${formatRange({ start: forward.hostPortStart, end: forward.hostPortEnd })}/${forward.protocol} to ${forward.guestName}.`
    },
  )
}

export async function reconcileForwardsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'forward.reconcile', 'manageForwards', HostRefSchema, () => 'forward table'),
    async ({ host }) => {
      const count = await reconcileForwards(host, toTarget(host))
      revalidatePath(forwardsPath(host.id))
      return `Re-applied the table of ${count} forward${count === 1 ? '' : 's'}.`
    },
  )
}

export async function installHookAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'forward.install-hook', 'manageForwards', HostRefSchema, () => 'libvirt hook'),
    async ({ host }) => {
      await installHook(host, toTarget(host))
      revalidatePath(forwardsPath(host.id))
      return `Installed the hook on ${host.name}. libvirt reads hooks when it starts: restart libvirtd once (running guests keep running).`
    },
  )
}

const reportMessage = (report: GuestForwardsReport) =>
  `${report.added.length} added, ${report.removed.length} removed, ${report.unchanged.length} unchanged.`

/** Makes a guest's forwards exactly the posted list (the API's PUT); answers what it added and removed. */
export async function setGuestForwardsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'forward.set', 'manageForwards', SetGuestForwardsSchema, (d) => d.guest),
    async ({ data, host, user }) => {
      const report = await setGuestForwards(host, toTarget(host), data.guest, data.forwards, {
        id: user.id,
        username: user.username,
      })
      revalidatePath(forwardsPath(host.id))
      return { message: `Forwards set: ${reportMessage(report)}`, detail: { kind: 'guest-forwards', ...report } }
    },
  )
}
