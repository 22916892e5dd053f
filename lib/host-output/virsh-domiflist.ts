import 'server-only'
import { dashAsNull } from '@/lib/host-output/field-values'
import { parseVirshTable } from '@/lib/host-output/virsh-table'

export type DomainInterfaceListEntry = {
  /** Host-side device (e.g. "vnet3"); null while the domain is not running. */
  interface: string | null
  /** Interface type: network, bridge, direct, hostdev, user, ... */
  type: string
  /** Network name, bridge name or host device, depending on type; null when virsh shows "-". */
  source: string | null
  model: string | null
  mac: string
}

const SOURCE = 'virsh domiflist'
const COLUMNS = [
  { key: 'interface', header: 'Interface' },
  { key: 'type', header: 'Type' },
  { key: 'source', header: 'Source' },
  { key: 'model', header: 'Model' },
  { key: 'mac', header: 'MAC' },
] as const

export function parseDomIfList(output: string): DomainInterfaceListEntry[] {
  return parseVirshTable(output, COLUMNS, SOURCE).map(({ cells }) => ({
    interface: dashAsNull(cells.interface),
    type: cells.type,
    source: dashAsNull(cells.source),
    model: dashAsNull(cells.model),
    mac: cells.mac,
  }))
}
