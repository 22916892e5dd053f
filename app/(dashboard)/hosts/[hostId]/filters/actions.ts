'use server'

import { revalidatePath } from 'next/cache'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { NwfilterEditSchema } from '@/lib/nwfilters/schemas'
import { applyNwfilterEdit } from '@/lib/nwfilters/changes'

export async function applyFilterEditAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'nwfilter.edit', 'manageNetworks', NwfilterEditSchema, (d) => d.name),
    async ({ data, host }) => {
      await applyNwfilterEdit(toTarget(host), data.name, data.xml, data.base)
      revalidatePath(`/hosts/${host.id}/filters`)
      revalidatePath(`/hosts/${host.id}/filters/${encodeURIComponent(data.name)}`)
      return `Redefined network filter ${data.name}; libvirt re-applies it to the interfaces that use it.`
    },
  )
}
