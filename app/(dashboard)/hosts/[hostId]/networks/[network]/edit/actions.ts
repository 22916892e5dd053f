'use server'

import { revalidatePath } from 'next/cache'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'
import { applyNetworkEdit } from '@/lib/network-edit/changes'

/** Applies the edit; its dry run ("Show changes") is the preview, with the diff and how it would apply. */
export async function applyEditAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'network.edit', 'manageNetworks', NetworkEditSchema, (d) => d.name),
    async ({ data, host, user }) => {
      const outcome = await applyNetworkEdit(host, toTarget(host), user, data.name, data.xml, data.base)
      revalidatePath(`/hosts/${host.id}/networks`)
      // the editor's base version moves on with the definition, so the next edit is made on this one
      revalidatePath(`/hosts/${host.id}/networks/${encodeURIComponent(data.name)}/edit`)
      return { message: outcome.message, jobId: outcome.jobId }
    },
  )
}
