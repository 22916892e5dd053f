import 'server-only'
import { OperatorError } from '@/lib/core/errors'
import type { HostTarget } from '@/lib/ssh'
import { virshBatch } from '@/lib/libvirt/virsh'
import { parseNetList } from '@/lib/host-output/virsh-net-list'
import { parseNetDhcpLeases, type DhcpLease } from '@/lib/host-output/virsh-net-dhcp-leases'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import type { NetworkDefinition } from '@/lib/libvirt-xml/network-types'
import { hostEntries, type DhcpEntry } from '@/lib/dhcp/entries'

export type DefinitionSide = { xml: string; definition: NetworkDefinition; entries: DhcpEntry[] }

/** One network's DHCP side as the host reports it: both definitions, their static hosts and the leases. */
export type NetworkDhcpState = {
  name: string
  active: boolean
  persistent: boolean
  autostart: boolean
  /** live definition when active, else the persistent one */
  definition: NetworkDefinition
  live: DefinitionSide | null
  config: DefinitionSide | null
  leases: DhcpLease[]
}

/** Everything in one virsh process: list, live XML, persistent XML, leases. */
export async function readNetworkDhcpState(host: HostTarget, name: string): Promise<NetworkDhcpState> {
  const [list = '', liveXml = '', configXml = '', leases = ''] = await virshBatch(host, [
    ['net-list', '--all'],
    ['net-dumpxml', '--network', name],
    ['net-dumpxml', '--network', name, '--inactive'],
    ['net-dhcp-leases', '--network', name],
  ])
  const entry = parseNetList(list).find((n) => n.name === name)
  if (!entry || !liveXml.trim())
    throw new OperatorError(`There is no network named ${name} on this host (it may have been removed).`)
  const definitionSide = (xml: string) => {
    const definition = parseNetworkXml(xml)
    return { xml, definition, entries: hostEntries(definition) }
  }
  const live = entry.active ? definitionSide(liveXml) : null
  const config = entry.persistent && configXml.trim() ? definitionSide(configXml) : null
  return {
    ...entry,
    definition: (live ?? config ?? definitionSide(liveXml)).definition,
    live,
    config,
    leases: entry.active && leases.trim() ? parseNetDhcpLeases(leases) : [],
  }
}
