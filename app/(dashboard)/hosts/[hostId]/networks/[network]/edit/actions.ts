'use server'

import { revalidatePath } from 'next/cache'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { connectableHostOf } from '@/lib/hosts/host-tab'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'
import { applyNetworkEdit } from '@/lib/network-edit/changes'

/** Applies the edit; its dry run ("Show changes") is the preview, with the diff and how it would apply. */
export async function applyEditAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'network.edit',
      permission: 'manageNetworks',
      schema: NetworkEditSchema,
      input: formData,
      host: connectableHostOf,
      target: (d) => d.name,
    },
    async ({ data, host, user }) => {
      const outcome = await applyNetworkEdit(host, toTarget(host), user, data.name, data.xml)
      revalidatePath(`/hosts/${host.id}/networks`)
      return { message: outcome.message, jobId: outcome.jobId }
    },
  )
}
