import 'server-only'
import { requireConnectableHost } from '@/lib/hosts/store'
import { markWanted, wakeInventoryRefresher } from '@/lib/inventory/refresh'

// What changes the inventory on request: the Refresh button. Callers (runAction) authorize.

/**
 * Asks for the host to be read now: its snapshot is marked wanted and this process's background loop woken (another
 * dashboard process's loop finds it within a few seconds). The read itself never runs in the request: a server
 * action's pending state lasts until every action and transition started meanwhile has settled (React entangles
 * them, and Next runs a page's actions one at a time), so a host read of several seconds, or minutes for a host whose
 * reads time out, held every Refresh button of the page at "Reading…" and the page's own updates with it. The page
 * says "reading now" until a read that started after the request has finished (wantedAt, lib/inventory/refresh.ts).
 */
export async function refreshHostInventory(hostId: string): Promise<string> {
  const { row } = await requireConnectableHost(hostId)
  await markWanted(row.id)
  wakeInventoryRefresher()
  return `Reading ${row.name} now; its inventory follows in a few seconds.`
}
