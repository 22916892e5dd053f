import 'server-only'
import { db } from '@/lib/db/client'
import { readHostTab } from '@/lib/hosts/host-tab'
import { getNetwork, listNetworks } from '@/lib/libvirt/read-networks'
import { virshBatch } from '@/lib/libvirt/virsh'

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
    // Both definitions are read alongside the listing (one round trip's time, not two after each other).
    const [network, [xml = '', inactiveXml = '']] = await Promise.all([
      getNetwork(target, name),
      virshBatch(target, [
        ['net-dumpxml', '--network', name],
        ['net-dumpxml', '--network', name, '--inactive'],
      ]),
    ])
    if (!network) return { network: null, xml: null, inactiveXml: null }
    // A batch's part after the first starts with the newline that ended the marker line.
    const definition = (part: string) => part.replace(/^\n/, '')
    return { network, xml: definition(xml), inactiveXml: network.persistent ? definition(inactiveXml) : null }
  })
}
