import 'server-only'
import { yesNo, oneOf } from '@/lib/host-output/field-values'
import { parseVirshTable } from '@/lib/host-output/virsh-table'

export type NetListEntry = { name: string; active: boolean; autostart: boolean; persistent: boolean }

const SOURCE = 'virsh net-list'
const COLUMNS = [
  { key: 'name', header: 'Name' },
  { key: 'state', header: 'State' },
  { key: 'autostart', header: 'Autostart' },
  { key: 'persistent', header: 'Persistent' },
] as const

/** `virsh net-list --all` (with or without header). */
export function parseNetList(output: string): NetListEntry[] {
  return parseVirshTable(output, COLUMNS, SOURCE).map(({ cells, line }) => ({
    name: cells.name,
    active: oneOf(cells.state, ['active', 'inactive'] as const, 'network state', SOURCE, line) === 'active',
    // virsh prints "no autostart" where it could not read the flag, as when the network went away while it listed.
    autostart: cells.autostart === 'no autostart' ? false : yesNo(cells.autostart, 'Autostart', SOURCE, line),
    persistent: yesNo(cells.persistent, 'Persistent', SOURCE, line),
  }))
}

/** `virsh net-list --all --name`: one name per line, nothing else. */
export function parseNetListNames(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '')
}
