'use server'

import { revalidatePath } from 'next/cache'
import { z } from 'zod'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { AssignSchema, CreatePoolSchema, PoolRefSchema, ReleaseSchema, SetVfCountSchema } from '@/lib/sriov/schemas'
import {
  assignVf,
  createPool,
  deletePool,
  releaseVf,
  setPoolAutostart,
  setVfCount,
  startPool,
} from '@/lib/sriov/changes'

const refresh = (hostId: string) => revalidatePath(`/hosts/${hostId}/sriov`)

export async function setVfCountAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'sriov.set-vfs', 'manageSriov', SetVfCountSchema, (d) => d.pf),
    async ({ data, host }) => {
      const { enabled } = await setVfCount(toTarget(host), data.pf, data.count)
      refresh(host.id)
      return enabled === data.count
        ? `${data.pf} now has ${enabled} VFs.`
        : `${data.pf} enabled only ${enabled} of the ${data.count} VFs asked for (the driver's limit).`
    },
  )
}

export async function createPoolAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'sriov.pool.create', 'manageSriov', CreatePoolSchema, (d) => d.name),
    async ({ data, host }) => {
      const { isPf } = await createPool(toTarget(host), data)
      refresh(host.id)
      return `Defined pool ${data.name} on ${data.pf}.${isPf ? '' : ` ${data.pf} does not report SR-IOV here, so the pool will not start until it has VFs.`}`
    },
  )
}

export async function startPoolAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'sriov.pool.start', 'manageSriov', PoolRefSchema, (d) => d.name),
    async ({ data, host }) => {
      await startPool(toTarget(host), data.name)
      refresh(host.id)
      return `Started pool ${data.name}.`
    },
  )
}

const AutostartSchema = PoolRefSchema.extend({
  enabled: z.enum(['true', 'false']).transform((value) => value === 'true'),
})

export async function autostartPoolAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'sriov.pool.autostart', 'manageSriov', AutostartSchema, (d) => d.name),
    async ({ data, host }) => {
      await setPoolAutostart(toTarget(host), data.name, data.enabled)
      refresh(host.id)
      return `${data.name} ${data.enabled ? 'now starts' : 'no longer starts'} with libvirtd.`
    },
  )
}

export async function deletePoolAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'sriov.pool.delete', 'manageSriov', PoolRefSchema, (d) => d.name),
    async ({ data, host }) => {
      await deletePool(toTarget(host), data.name)
      refresh(host.id)
      return `Deleted pool ${data.name}.`
    },
  )
}

export async function assignAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'sriov.assign', 'manageSriov', AssignSchema, (d) => `${d.guest} → ${d.target}`),
    async ({ data, host }) => {
      const { mac } = await assignVf(toTarget(host), data)
      refresh(host.id)
      return `Gave ${data.guest} an interface on ${data.target.replace(/^pool:/, 'pool ').replace(/^vf:/, 'VF ')} with MAC ${mac}.`
    },
  )
}

export async function releaseAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'sriov.release', 'manageSriov', ReleaseSchema, (d) => `${d.guest} ${d.mac}`),
    async ({ data, host }) => {
      await releaseVf(toTarget(host), data.guest, data.mac)
      refresh(host.id)
      return `Released ${data.mac} from ${data.guest}.`
    },
  )
}
