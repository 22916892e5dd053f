import 'server-only'
import { authorize } from '@/lib/auth/authorize'
import { guestsPageData } from '@/lib/guests/read'
import { settingsFields } from '@/lib/api/settings-fields'

/**
 * The settings form's fields as an interface has them now, so an API PATCH changes only the fields it sends (the form
 * posts every field; a script setting the link state must not clear the bandwidth). Null when the host has no such
 * guest interface, or could not be read: the action then refuses as it would for the form.
 */
export async function currentSettingsFields(
  hostId: string,
  guest: string,
  mac: string,
): Promise<Record<string, string> | null> {
  // What it reads is what the Guests tab shows; the change itself authorizes again (manageGuests) in its action.
  await authorize('viewHosts')
  const tab = await guestsPageData(hostId)
  const nic = tab?.live?.guests
    .find((g) => g.name === guest)
    ?.interfaces.find((i) => i.mac?.toLowerCase() === mac.toLowerCase())
  return nic?.settings ? settingsFields(nic.settings) : null
}
