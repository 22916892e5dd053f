'use server'

import { revalidatePath } from 'next/cache'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { connectableHostOf } from '@/lib/hosts/host-tab'
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
    {
      action: 'bridge.create',
      permission: 'manageBridges',
      schema: CreateHostBridgeSchema,
      input: formData,
      host: connectableHostOf,
      target: (d) => `${d.bridge} over ${d.nic}`,
    },
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
    {
      action: 'bridge.network.create',
      permission: 'manageNetworks',
      schema: BridgeNetworkSchema,
      input: formData,
      host: connectableHostOf,
      target: (d) => d.name,
    },
    async ({ data, host }) => {
      await createBridgeNetwork(toTarget(host), data)
      refresh(host.id)
      return `Defined network ${data.name} (forward mode bridge on ${data.bridge})${data.start ? ', running' : ''}.`
    },
  )
}

export async function attachGuestAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'bridge.attach-guest',
      permission: 'manageNetworks',
      schema: AttachGuestSchema,
      input: formData,
      host: connectableHostOf,
      target: (d) => `${d.guest} → ${d.target}`,
    },
    async ({ data, host }) => {
      await attachGuest(toTarget(host), data)
      refresh(host.id)
      return `Attached ${data.guest} to ${data.target.replace(':', ' ')}.`
    },
  )
}

export async function bridgeSettingsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'bridge.settings',
      permission: 'manageBridges',
      schema: BridgeSettingsSchema,
      input: formData,
      host: connectableHostOf,
    },
    async ({ data, host }) => {
      await applyBridgeSettings(toTarget(host), data)
      return 'Applied the bridge host settings.'
    },
  )
}
