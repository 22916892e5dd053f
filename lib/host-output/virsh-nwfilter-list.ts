import 'server-only'
import { parseVirshTable } from '@/lib/host-output/virsh-table'

export type NwfilterListEntry = { uuid: string; name: string }

const COLUMNS = [
  { key: 'uuid', header: 'UUID' },
  { key: 'name', header: 'Name' },
] as const

/** `virsh nwfilter-list` (with or without header). */
export function parseNwfilterList(output: string): NwfilterListEntry[] {
  return parseVirshTable(output, COLUMNS, 'virsh nwfilter-list').map(({ cells }) => ({
    uuid: cells.uuid,
    name: cells.name,
  }))
}
