'use server'

import { revalidatePath } from 'next/cache'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { authorize } from '@/lib/auth/authorize'
import { NotAuthorizedError } from '@/lib/core/errors'
import { requireConnectableHost, toTarget } from '@/lib/hosts/store'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'
import { applyNetworkEdit, previewNetworkEdit, type EditPreview } from '@/lib/network-edit/operations'
import { SshError } from '@/lib/ssh'

export type PreviewState = {
  status: 'idle' | 'success' | 'error'
  message: string | null
  errors: Record<string, string[] | undefined>
  preview?: EditPreview
}

/** Read-only: the diff and how the change would be applied. Nothing changes on the host, so nothing is audited. */
export async function previewEditAction(_previous: PreviewState, formData: FormData): Promise<PreviewState> {
  try {
    await authorize('manageNetworks')
    const parsed = NetworkEditSchema.safeParse(Object.fromEntries(formData.entries()))
    if (!parsed.success)
      return {
        status: 'error',
        message: 'Please correct the highlighted fields.',
        errors: { xml: parsed.error.issues.map((i) => i.message) },
      }
    const { row } = await requireConnectableHost(parsed.data.hostId)
    return {
      status: 'success',
      message: null,
      errors: {},
      preview: await previewNetworkEdit(toTarget(row), parsed.data.name, parsed.data.xml),
    }
  } catch (error) {
    if (error instanceof FieldErrors) return { status: 'error', message: error.message, errors: error.errors }
    if (error instanceof NotAuthorizedError || error instanceof OperatorError || error instanceof SshError)
      return { status: 'error', message: error.message, errors: {} }
    throw error
  }
}

export async function applyEditAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'network.edit',
      permission: 'manageNetworks',
      schema: NetworkEditSchema,
      input: formData,
      host: async ({ hostId }) => (await requireConnectableHost(hostId)).row,
      target: (d) => d.name,
    },
    async ({ data, host, user }) => {
      const outcome = await applyNetworkEdit(host, toTarget(host), user, data.name, data.xml)
      revalidatePath(`/hosts/${host.id}/networks`)
      return { message: outcome.message, jobId: outcome.jobId }
    },
  )
}
