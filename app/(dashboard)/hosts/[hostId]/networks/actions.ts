'use server'

import { revalidatePath } from 'next/cache'
import { redirect } from 'next/navigation'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { CreateNetworkSchema, NetworkRefSchema, UndefineNetworkSchema } from '@/lib/networks/schemas'
import {
  createNetwork,
  restoreDefaultNetwork,
  setNetworkAutostart,
  startNetwork,
  stopNetwork,
  undefineNetwork,
} from '@/lib/networks/changes'
import { z } from 'zod'
import { describeNetwork } from '@/lib/networks/describe'

const networksPath = (hostId: string) => `/hosts/${hostId}/networks`
const withGuests = (guests: string[]) =>
  guests.length ? ` Guests on it lost their connection: ${guests.join(', ')}.` : ''

export async function createNetworkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'network.create', 'manageNetworks', CreateNetworkSchema, (d) => d.name),
    async ({ data, host }) => {
      const spec = await createNetwork(host, toTarget(host), data)
      revalidatePath(networksPath(host.id))
      return `Created ${describeNetwork(spec)}${data.start ? ', running' : ''}.`
    },
  )
}

export async function startNetworkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'network.start', 'manageNetworks', NetworkRefSchema, (d) => d.name),
    async ({ data, host }) => {
      await startNetwork(host, toTarget(host), data.name)
      revalidatePath(networksPath(host.id))
      return `Started ${data.name}.`
    },
  )
}

export async function stopNetworkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'network.stop', 'manageNetworks', NetworkRefSchema, (d) => d.name),
    async ({ data, host }) => {
      const guests = await stopNetwork(host, toTarget(host), data.name)
      revalidatePath(networksPath(host.id))
      return `Stopped ${data.name}.${withGuests(guests)}`
    },
  )
}

const AutostartSchema = NetworkRefSchema.extend({
  enabled: z.enum(['true', 'false']).transform((value) => value === 'true'),
})

export async function autostartNetworkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'network.autostart', 'manageNetworks', AutostartSchema, (d) => d.name),
    async ({ data, host }) => {
      await setNetworkAutostart(host, toTarget(host), data.name, data.enabled)
      revalidatePath(networksPath(host.id))
      return `${data.name} ${data.enabled ? 'now starts' : 'no longer starts'} when libvirtd starts.`
    },
  )
}

export async function undefineNetworkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  let done: string | null = null
  const state = await runAction(
    onHost(formData, 'network.undefine', 'manageNetworks', UndefineNetworkSchema, (d) => d.name),
    async ({ data, host }) => {
      await undefineNetwork(host, toTarget(host), data.name, data.confirmName)
      done = host.id
      return `Undefined ${data.name}.`
    },
  )
  if (done) {
    revalidatePath(networksPath(done))
    redirect(networksPath(done))
  }
  return state
}

const HostOnlySchema = z.object({ hostId: z.string().min(1).max(64) })

export async function restoreDefaultAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'network.restore-default', 'manageNetworks', HostOnlySchema, () => 'default'),
    async ({ host, user }) => {
      const jobId = await restoreDefaultNetwork(host, toTarget(host), user)
      return { message: 'Restoring the default network…', jobId }
    },
  )
}
