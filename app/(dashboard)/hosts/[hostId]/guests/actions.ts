'use server'

import { revalidatePath } from 'next/cache'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import { AttachSchema, ChangeNetworkSchema, InterfaceSettingsSchema, NicRefSchema } from '@/lib/guests/schemas'
import { attachInterface, changeInterfaceNetwork, changeInterfaceSettings, detachInterface } from '@/lib/guests/changes'

const guestsPath = (hostId: string) => `/hosts/${hostId}/guests`

export async function attachInterfaceAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'guest.interface.attach', 'manageGuests', AttachSchema, (d) => `${d.guest} ${d.type} ${d.source}`),
    async ({ data, host }) => {
      const mac = await attachInterface(toTarget(host), data)
      revalidatePath(guestsPath(host.id))
      return `Attached ${mac} (${data.model}) on ${data.type} ${data.source} to ${data.guest}.`
    },
  )
}

export async function detachInterfaceAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'guest.interface.detach', 'manageGuests', NicRefSchema, (d) => `${d.guest} ${d.mac}`),
    async ({ data, host }) => {
      const { nic, pendingLive } = await detachInterface(toTarget(host), data)
      revalidatePath(guestsPath(host.id))
      return pendingLive
        ? `Removed ${nic.mac} from ${data.guest}'s configuration and asked the running guest to release it; it stays until the guest OS acknowledges the unplug.`
        : `Detached ${nic.mac} from ${data.guest}.`
    },
  )
}

export async function changeNetworkAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'guest.interface.network', 'manageGuests', ChangeNetworkSchema, (d) => `${d.guest} ${d.mac}`),
    async ({ data, host }) => {
      const nic = await changeInterfaceNetwork(toTarget(host), data)
      revalidatePath(guestsPath(host.id))
      return `Moved ${nic.mac} of ${data.guest} from ${nic.source} to ${data.network}.`
    },
  )
}

export async function interfaceSettingsAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'guest.interface.settings', 'manageGuests', InterfaceSettingsSchema, (d) => `${d.guest} ${d.mac}`),
    async ({ data, host }) => {
      const { nic, changed, modelAtNextBoot } = await changeInterfaceSettings(toTarget(host), data)
      revalidatePath(guestsPath(host.id))
      const later = modelAtNextBoot ? ` The model changes to ${data.settings.model} when ${data.guest} next boots.` : ''
      return `Set the ${changed.join(', ')} of ${nic.mac} on ${data.guest}.${later}`
    },
  )
}
