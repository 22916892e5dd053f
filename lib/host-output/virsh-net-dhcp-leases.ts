import 'server-only'
import { dashAsNull, nonNegativeInteger, oneOf } from '@/lib/host-output/field-values'
import { ParseError } from '@/lib/core/errors'
import { parseVirshTable } from '@/lib/host-output/virsh-table'

export type DhcpLease = {
  /** "YYYY-MM-DD HH:MM:SS" in the host's local time zone, as virsh prints it (kept as text: the zone is unknown here). */
  expiryTime: string
  mac: string
  protocol: 'ipv4' | 'ipv6'
  ip: string
  prefix: number
  hostname: string | null
  clientId: string | null
}

const SOURCE = 'virsh net-dhcp-leases'
const COLUMNS = [
  { key: 'expiry', header: 'Expiry Time' },
  { key: 'mac', header: 'MAC address' },
  { key: 'protocol', header: 'Protocol' },
  { key: 'address', header: 'IP address' },
  { key: 'hostname', header: 'Hostname' },
  { key: 'clientId', header: 'Client ID or DUID' },
] as const

/** `virsh net-dhcp-leases NETWORK`; a missing hostname or client id is printed as "-". */
export function parseNetDhcpLeases(output: string): DhcpLease[] {
  return parseVirshTable(output, COLUMNS, SOURCE).map(({ cells, line }) => {
    if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(cells.expiry)) {
      throw new ParseError(SOURCE, `expiry time should look like "2024-01-31 13:45:00", got "${cells.expiry}"`, {
        line,
      })
    }
    const address = /^(.+)\/(\d+)$/.exec(cells.address)
    if (!address)
      throw new ParseError(SOURCE, `IP address should look like "192.168.122.10/24", got "${cells.address}"`, { line })
    return {
      expiryTime: cells.expiry,
      mac: cells.mac,
      protocol: oneOf(cells.protocol, ['ipv4', 'ipv6'] as const, 'protocol', SOURCE, line),
      ip: address[1] as string,
      prefix: nonNegativeInteger(address[2] as string, 'prefix', SOURCE, line),
      hostname: dashAsNull(cells.hostname),
      clientId: dashAsNull(cells.clientId),
    }
  })
}
