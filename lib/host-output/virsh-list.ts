import 'server-only'
import { nonNegativeInteger, oneOf } from '@/lib/host-output/field-values'
import { parseVirshTable } from '@/lib/host-output/virsh-table'

/** Domain states as `virsh list` spells them (virshDomainStateToString). */
export const DOMAIN_STATES = [
  'no state',
  'running',
  'idle',
  'paused',
  'in shutdown',
  'shut off',
  'crashed',
  'pmsuspended',
] as const
export type DomainState = (typeof DOMAIN_STATES)[number]

export type DomainListEntry = { id: number | null; name: string; state: DomainState }

const SOURCE = 'virsh list'
const COLUMNS = [
  { key: 'id', header: 'Id' },
  { key: 'name', header: 'Name' },
  { key: 'state', header: 'State' },
] as const

/** `virsh list --all` (with or without header). Inactive domains have no id ("-"). */
export function parseDomainList(output: string): DomainListEntry[] {
  return parseVirshTable(output, COLUMNS, SOURCE).map(({ cells, line }) => ({
    id: cells.id === '-' ? null : nonNegativeInteger(cells.id, 'Id', SOURCE, line),
    name: cells.name,
    state: oneOf(cells.state, DOMAIN_STATES, 'domain state', SOURCE, line),
  }))
}
