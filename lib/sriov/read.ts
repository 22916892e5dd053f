import 'server-only'
import { readHostTab } from '@/lib/hosts/host-tab'
import { sriovInventory } from '@/lib/sriov/inventory'

// What the SR-IOV page reads; nothing here changes a host (that is changes.ts).

/** The host's physical functions and VFs, hostdev pools and the guests holding VFs. */
export async function sriovPageData(hostId: string) {
  return readHostTab(hostId, (target) => sriovInventory(target))
}
