import 'server-only'
import { OperatorError } from '@/lib/core/errors'
import { requireConnectableHost } from '@/lib/hosts/store'
import { refreshInventory, markWanted, wakeInventoryRefresher } from '@/lib/inventory/refresh'

// What changes the inventory on request: the Refresh button. Callers (runAction) authorize.

/**
 * Reads the host now and replaces its snapshot. When another dashboard process holds the host's lease (it is reading
 * the host right now), the snapshot is marked wanted so a refresh follows that one.
 */
export async function refreshHostInventory(hostId: string): Promise<string> {
  const { row } = await requireConnectableHost(hostId)
  const outcome = await refreshInventory(row.id)
  if (outcome === 'busy') {
    await markWanted(row.id)
    wakeInventoryRefresher()
    return `${row.name} is being read right now; its inventory follows shortly.`
  }
  if (outcome === 'failed') throw new OperatorError(`Could not read ${row.name}; the last inventory stays shown.`)
  return `Read ${row.name} again.`
}
