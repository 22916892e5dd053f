'use server'

import { revalidatePath } from 'next/cache'
import { redirect } from 'next/navigation'
import { fromForm, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { AddHostSchema, ConfirmHostKeySchema, HostIdSchema, RemoveHostSchema } from '@/lib/hosts/schemas'
import { addHost, confirmHostKey, removeHost, testHostConnection } from '@/lib/hosts/changes'
import { requireHost } from '@/lib/hosts/store'
import { OperatorError } from '@/lib/core/errors'

const hostRef = async ({ hostId }: { hostId: string }) => requireHost(hostId)

export async function addHostAction(_previous: FormState, formData: FormData): Promise<FormState> {
  let createdId: string | null = null
  const state = await runAction(
    fromForm(formData, 'host.add', 'manageHosts', AddHostSchema, (d) => `${d.name} (${d.address}:${d.port})`),
    async ({ data }) => {
      const host = await addHost(data)
      createdId = host.id
      return `Added ${host.name}. Confirm its host key before using it.`
    },
  )
  if (createdId) {
    revalidatePath('/', 'layout')
    redirect(`/hosts/${createdId}`)
  }
  return state
}

export async function confirmHostKeyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'host.confirm-key',
      permission: 'manageHosts',
      schema: ConfirmHostKeySchema,
      input: formData,
      host: hostRef,
      target: (d) => d.fingerprint,
    },
    async ({ data }) => {
      const host = await confirmHostKey(data.hostId, data.fingerprint)
      revalidatePath('/', 'layout')
      return `Pinned the host key of ${host.name}.`
    },
  )
}

export async function checkHostAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    { action: 'host.check', permission: 'manageNetworks', schema: HostIdSchema, input: formData, host: hostRef },
    async ({ data }) => {
      const host = await testHostConnection(await requireHost(data.hostId))
      revalidatePath('/', 'layout')
      const health = JSON.parse(host.health ?? '{}') as { reachable?: boolean; error?: string; latencyMs?: number }
      if (!health.reachable) throw new OperatorError(health.error ?? `${host.name} is unreachable.`)
      return `Connected to ${host.name} in ${health.latencyMs} ms.`
    },
  )
}

export async function removeHostAction(_previous: FormState, formData: FormData): Promise<FormState> {
  let removed = false
  const state = await runAction(
    { action: 'host.remove', permission: 'manageHosts', schema: RemoveHostSchema, input: formData, host: hostRef },
    async ({ data }) => {
      const host = await removeHost(data.hostId, data.confirmName)
      removed = true
      return `Removed ${host.name}.`
    },
  )
  if (removed) {
    revalidatePath('/', 'layout')
    redirect('/hosts')
  }
  return state
}
