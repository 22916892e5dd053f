import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { OperatorError } from '@/lib/core/errors'
import { readHostTab } from '@/lib/hosts/host-tab'
import { getNetwork, networkXml } from '@/lib/libvirt/read-networks'
import { runningGuestTaps, tapsOffBridge, type GuestTap } from '@/lib/network-edit/taps'
import { definitionVersion } from '@/lib/network-edit/version'

/**
 * The editor page: the definition to edit (persistent, or the live one of a transient network), its version (which
 * the edit carries back) and the running guests on it.
 */
export async function networkEditPageData(hostId: string, name: string) {
  return readHostTab(hostId, async (target) => {
    const network = await getNetwork(target, name)
    if (!network) return { network: null, xml: null, version: null, taps: [] as GuestTap[] }
    const [xml, taps] = await Promise.all([
      networkXml(target, name, { inactive: network.persistent }),
      network.active ? runningGuestTaps(target, name) : Promise.resolve([]),
    ])
    return { network, xml, version: definitionVersion(xml), taps }
  })
}

/** For tests and the benchmark: running guests' taps on the network that are not ports of its bridge. */
export async function networkTapsOffBridge(
  target: HostTarget,
  name: string,
): Promise<{ taps: GuestTap[]; off: string[] }> {
  const network = await getNetwork(target, name)
  if (!network?.bridge) throw new OperatorError(`${name} has no bridge.`)
  const taps = await runningGuestTaps(target, name)
  return {
    taps,
    off: await tapsOffBridge(
      target,
      taps.map((t) => t.tap),
      network.bridge,
    ),
  }
}
