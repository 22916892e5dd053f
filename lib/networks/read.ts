import 'server-only'
import { db } from '@/lib/db/client'
import { readHostTab } from '@/lib/hosts/host-tab'
import { getNetwork, listNetworks, networkXml } from '@/lib/libvirt/read-networks'

// What the network pages read; nothing here changes a host or the database (that is changes.ts).

/** The host's networks as libvirt reports them, with Virtnet's desired state beside them. */
export async function networksPageData(hostId: string) {
  return readHostTab(hostId, async (target, host) => {
    const [networks, desired] = await Promise.all([
      listNetworks(target),
      db.desiredNetwork.findMany({ where: { hostId: host.id } }),
    ])
    return { networks, desired }
  })
}

/** One network and its definition; `network` is null when the host has no network of that name. */
export async function networkPageData(hostId: string, name: string) {
  return readHostTab(hostId, async (target) => {
    const network = await getNetwork(target, name)
    if (!network) return { network: null, xml: null, inactiveXml: null }
    const [xml, inactiveXml] = await Promise.all([
      networkXml(target, name),
      network.persistent ? networkXml(target, name, { inactive: true }) : Promise.resolve(null),
    ])
    return { network, xml, inactiveXml }
  })
}
