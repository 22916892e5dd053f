import 'server-only'
import { run } from '@/lib/ssh'
import { readHostTab } from '@/lib/hosts/host-tab'
import { bridgesInventory } from '@/lib/bridges/inventory'
import { detectStackCommand, parseStack } from '@/lib/bridges/persistence'

/** The bridges tab: bridges, NICs, networks and guests, and which network stack would persist a new host bridge. */
export async function bridgesPageData(hostId: string) {
  return readHostTab(hostId, async (target) => {
    const [inventory, stack] = await Promise.all([bridgesInventory(target), run(target, detectStackCommand)])
    return { inventory, stack: parseStack(stack.stdout) }
  })
}
