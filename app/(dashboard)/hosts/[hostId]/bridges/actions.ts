'use server'

import { revalidatePath } from 'next/cache'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { authorize } from '@/lib/auth/authorize'
import { NotAuthorizedError } from '@/lib/core/errors'
import { requireConnectableHost, toTarget } from '@/lib/hosts/store'
import { SshError } from '@/lib/ssh'
import {
  AttachGuestSchema,
  BridgeNetworkSchema,
  BridgeSettingsSchema,
  CreateHostBridgeSchema,
} from '@/lib/bridges/schemas'
import {
  applyBridgeSettings,
  attachGuest,
  createBridgeNetwork,
  createHostBridge,
  previewHostBridge,
  type HostBridgePreview,
} from '@/lib/bridges/operations'

const connectableHost = async ({ hostId }: { hostId: string }) => (await requireConnectableHost(hostId)).row
const refresh = (hostId: string) => revalidatePath(`/hosts/${hostId}/bridges`)

export type BridgePreviewState = {
  status: 'idle' | 'success' | 'error'
  message: string | null
  errors: Record<string, string[] | undefined>
  preview?: HostBridgePreview
}

/** Read-only: the exact plan (and files to install by hand on other network stacks). Nothing changes, nothing is audited. */
export async function previewHostBridgeAction(
  _previous: BridgePreviewState,
  formData: FormData,
): Promise<BridgePreviewState> {
  try {
    await authorize('manageBridges')
    const parsed = CreateHostBridgeSchema.safeParse(Object.fromEntries(formData.entries()))
    if (!parsed.success) {
      const errors: Record<string, string[]> = {}
      for (const issue of parsed.error.issues) (errors[String(issue.path[0])] ??= []).push(issue.message)
      return { status: 'error', message: 'Please correct the highlighted fields.', errors }
    }
    const { row } = await requireConnectableHost(parsed.data.hostId)
    return {
      status: 'success',
      message: null,
      errors: {},
      preview: await previewHostBridge(toTarget(row), parsed.data),
    }
  } catch (error) {
    if (error instanceof FieldErrors) return { status: 'error', message: error.message, errors: error.errors }
    if (error instanceof NotAuthorizedError || error instanceof OperatorError || error instanceof SshError)
      return { status: 'error', message: error.message, errors: {} }
    throw error
  }
}

export async function createHostBridgeAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'bridge.create',
      permission: 'manageBridges',
      schema: CreateHostBridgeSchema,
      input: formData,
      host: connectableHost,
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
      host: connectableHost,
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
      host: connectableHost,
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
      host: connectableHost,
    },
    async ({ data, host }) => {
      await applyBridgeSettings(toTarget(host), data)
      return 'Applied the bridge host settings.'
    },
  )
}
