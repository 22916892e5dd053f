'use server'

import { revalidatePath } from 'next/cache'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import {
  AttachGuestSchema,
  BridgeNetworkSchema,
  BridgeSettingsSchema,
  CreateHostBridgeSchema,
} from '@/lib/bridges/schemas'
import { applyBridgeSettings, attachGuest, createBridgeNetwork, createHostBridge } from '@/lib/bridges/changes'

const refresh = (hostId: string) => revalidatePath(`/hosts/${hostId}/bridges`)

/** Starts the commit-confirm job; its dry run ("Show plan") is the preview, with the files to install by hand where Virtnet cannot persist the bridge. */
export async function createHostBridgeAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'bridge.create', 'manageBridges', CreateHostBridgeSchema, (d) => `${d.bridge} over ${d.nic}`),
    async ({ data, host, user }) => {
      const { jobId } = await createHostBridge(host, toTarget(host), user, data)
      return {
        message: `Creating ${data.bridge} over ${data.nic}; the host reverts it by itself unless Virtnet confirms within ${data.confirmSeconds} s.`,
        jobId,
      }
    },
  )
}

export async function createBridgeNetworkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'bridge.network.create', 'manageNetworks', BridgeNetworkSchema, (d) => d.name),
    async ({ data, host }) => {
      await createBridgeNetwork(toTarget(host), data)
      refresh(host.id)
      return `Defined network ${data.name} (forward mode bridge on ${data.bridge})${data.start ? ', running' : ''}.`
    },
  )
}

export async function attachGuestAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'bridge.attach-guest', 'manageNetworks', AttachGuestSchema, (d) => `${d.guest} → ${d.target}`),
    async ({ data, host }) => {
      await attachGuest(toTarget(host), data)
      refresh(host.id)
      return `Attached ${data.guest} to ${data.target.replace(':', ' ')}.`
    },
  )
}

export async function bridgeSettingsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'bridge.settings', 'manageBridges', BridgeSettingsSchema),
    async ({ data, host }) => {
      await applyBridgeSettings(toTarget(host), data)
      return 'Applied the bridge host settings.'
    },
  )
}
