import 'server-only'
import { nonNegativeInteger } from '@/lib/host-output/field-values'
import { ParseError } from '@/lib/core/errors'

export type DomainInterfaceAddress = {
  /** Interface name as the source reports it: vnetN for --source lease/arp, the guest's name (eth0) for agent. */
  name: string
  mac: string | null
  /** null for an interface that has no address ("N/A"). */
  protocol: 'ipv4' | 'ipv6' | null
  address: string | null
  prefix: number | null
}

const SOURCE = 'virsh domifaddr'

/*
 * Unlike the vshTable commands, domifaddr prints with printf(" %-10s %-17s    %s"), so a name
 * longer than 10 characters (macvtap devices, guest interface names) pushes the other fields
 * right and header positions do not hold. No field can contain a space, so the line is split
 * on whitespace. Rows after an interface's first address repeat neither name nor MAC ("-").
 */
export function parseDomIfAddr(output: string): DomainInterfaceAddress[] {
  const result: DomainInterfaceAddress[] = []
  let previous: { name: string; mac: string | null } | undefined
  output.split('\n').forEach((raw, index) => {
    const line = index + 1
    const text = raw.trim()
    if (text === '' || /^-+$/.test(text) || /^Name\s+MAC address\s+Protocol\s+Address$/.test(text)) return
    const fields = text.split(/\s+/)
    // A missing MAC address is printed as an empty string, leaving three fields.
    const [name, mac, protocol, address] = fields.length === 3 ? [fields[0], '', fields[1], fields[2]] : fields
    if (fields.length < 3 || fields.length > 4 || !name || protocol === undefined || address === undefined) {
      throw new ParseError(SOURCE, `expected "name MAC protocol address", got "${text}"`, { line })
    }
    let owner: { name: string; mac: string | null }
    if (name === '-' && mac === '-') {
      if (!previous) throw new ParseError(SOURCE, 'continuation row ("-") without a preceding interface', { line })
      owner = previous
    } else {
      owner = { name, mac: mac === '' || mac === 'N/A' ? null : (mac ?? null) }
    }
    previous = owner
    if (protocol === 'N/A') {
      result.push({ ...owner, protocol: null, address: null, prefix: null })
      return
    }
    if (protocol !== 'ipv4' && protocol !== 'ipv6')
      throw new ParseError(SOURCE, `unexpected protocol "${protocol}"`, { line })
    const cidr = /^(.+)\/(\d+)$/.exec(address)
    if (!cidr) throw new ParseError(SOURCE, `address should look like "192.168.122.10/24", got "${address}"`, { line })
    result.push({
      ...owner,
      protocol,
      address: cidr[1] as string,
      prefix: nonNegativeInteger(cidr[2] as string, 'prefix', SOURCE, line),
    })
  })
  return result
}
