'use server'

import { revalidatePath } from 'next/cache'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { HostIdSchema } from '@/lib/hosts/schemas'
import { refreshHostInventory } from '@/lib/inventory/changes'

/** The Refresh button of a host's inventory snapshot: reads the host now (anyone who may view hosts may ask). */
export async function refreshInventoryAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(onHost(formData, 'inventory.refresh', 'viewHosts', HostIdSchema), async ({ data }) => {
    const message = await refreshHostInventory(data.hostId)
    revalidatePath('/', 'layout')
    return message
  })
}
