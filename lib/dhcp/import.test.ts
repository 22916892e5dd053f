import { describe, expect, it } from 'vitest'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { checkImport, checkTable } from '@/lib/dhcp/import'
import type { DhcpEntry } from '@/lib/dhcp/entries'

/*
 * A paste of 2,000 lines against a network whose table already holds 1,000 entries (and 20 more the host has that
 * the table does not): the verdicts, line by line, as the check gave them when it compared every line with every
 * other (quadratic). Problems sit at the start, in the middle and at the end of the paste.
 */
const network = parseNetworkXml(
  `<network><name>big</name><ip address='10.240.0.1' prefix='16'><dhcp><range start='10.240.250.1' end='10.240.250.200'/></dhcp></ip><ip family='ipv6' address='fd00:240::1' prefix='64'/></network>`,
)
const hex = (i: number) => `${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`
const ipAt = (i: number) => `10.240.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`
const desired: DhcpEntry[] = Array.from({ length: 1000 }, (_, i) => ({
  family: 'ipv4',
  mac: `52:54:00:aa:${hex(i)}`,
  ip: ipAt(i),
  name: `old${i}`,
}))
const drift: DhcpEntry[] = Array.from({ length: 20 }, (_, i) => ({
  family: 'ipv4',
  mac: `52:54:00:dd:${hex(i)}`,
  ip: ipAt(1000 + i),
}))

type Row = { client: string; ip: string; name: string }
/**
 * 2,000 hosts: new ones (addresses after the table's and the drift's), every 100th line changing a table entry's
 * address, every 100th (offset 50) repeating a table entry unchanged, every 100th (offset 75) a DHCPv6 host by DUID.
 */
function rows(): Row[] {
  return Array.from({ length: 2000 }, (_, i): Row => {
    if (i % 100 === 0) return { client: `52:54:00:aa:${hex(i / 100)}`, ip: ipAt(3100 + i), name: `old${i / 100}` }
    const kept = 500 + (i - 50) / 100
    if (i % 100 === 50) return { client: `52:54:00:aa:${hex(kept)}`, ip: ipAt(kept), name: `old${kept}` }
    if (i % 100 === 75)
      return { client: `00:01:00:01:${hex(i)}`, ip: `fd00:240::${(i + 16).toString(16)}`, name: `v6-${i}` }
    return { client: `52:54:00:bb:${hex(i)}`, ip: ipAt(1100 + i), name: `new${i}` }
  })
}
const check = (lines: Row[]) =>
  checkImport(['mac,ip,name', ...lines.map((r) => `${r.client},${r.ip},${r.name}`)].join('\n'), network, desired, drift)

/** Lines that name a host another line already named (first pass: each line on its own). */
function repeatedHosts(where: 'start' | 'middle' | 'end'): Row[] {
  const lines = rows()
  const repeat = (of: number, at: number) => (lines[at] = { ...lines[at]!, client: lines[of]!.client.toUpperCase() })
  if (where === 'start') [1, 2].forEach((at) => repeat(0, at))
  if (where === 'middle') {
    ;[999, 1000, 1001].forEach((at) => repeat(998, at))
    repeat(1075, 1076) // a DUID
  }
  if (where === 'end') [1998, 1999].forEach((at) => repeat(1997, at))
  return lines
}

/** Lines whose address or name another line, the table or the drift already holds (second pass: against all). */
function takenAddressesAndNames(where: 'start' | 'middle' | 'end'): Row[] {
  const lines = rows()
  const at = { start: 2, middle: 1000, end: 1998 }[where]
  lines[at + 1] = { ...lines[at + 1]!, ip: lines[at]!.ip } // another line's address
  lines[at - 1] = { ...lines[at - 1]!, name: 'old7' } // a table entry's name
  lines[at - 2] = { ...lines[at - 2]!, ip: ipAt(1005) } // an address the host has outside the table
  return lines
}

/** The messages, line by line, that the quadratic check gave for these pastes (recorded from it). */
const verdicts = {
  repeat: {
    start: ['Line 3: 52:54:00:AA:00:00 is also on line 2.', 'Line 4: 52:54:00:AA:00:00 is also on line 3.'],
    middle: [
      'Line 1001: 52:54:00:BB:03:E6 is also on line 1000.',
      'Line 1002: 52:54:00:BB:03:E6 is also on line 1001.',
      'Line 1003: 52:54:00:BB:03:E6 is also on line 1002.',
    ],
    end: ['Line 2000: 52:54:00:BB:07:CD is also on line 1999.', 'Line 2001: 52:54:00:BB:07:CD is also on line 2000.'],
  },
  taken: {
    start: [
      'Line 2: 10.240.14.6 is already pinned to 52:54:00:dd:00:05.',
      'Line 3: The name old7 is already used by 52:54:00:aa:00:07.',
      'Line 4: 10.240.14.103 is already pinned to 52:54:00:bb:00:03.',
      'Line 5: 10.240.14.103 is already pinned to 52:54:00:bb:00:02.',
      'Line 702: The name old7 is already used by 52:54:00:bb:00:01.',
    ],
    middle: [
      'Line 702: The name old7 is already used by 52:54:00:bb:03:e7.',
      'Line 1000: 10.240.14.6 is already pinned to 52:54:00:dd:00:05.',
      'Line 1001: The name old7 is already used by 52:54:00:aa:00:07.',
      'Line 1002: 10.240.26.101 is already pinned to 52:54:00:bb:03:e9.',
      'Line 1003: 10.240.26.101 is already pinned to 52:54:00:aa:00:0a.',
    ],
    end: [
      'Line 702: The name old7 is already used by 52:54:00:bb:07:cd.',
      'Line 1998: 10.240.14.6 is already pinned to 52:54:00:dd:00:05.',
      'Line 1999: The name old7 is already used by 52:54:00:aa:00:07.',
      'Line 2000: 10.240.22.99 is already pinned to 52:54:00:bb:07:cf.',
      'Line 2001: 10.240.22.99 is already pinned to 52:54:00:bb:07:ce.',
    ],
  },
}

describe('checking a pasted CSV of 2,000 lines', () => {
  it('sorts a clean paste into added, changed and unchanged lines', () => {
    const result = check(rows())
    expect('lines' in result && result.lines.add.length).toBe(1960)
    expect('lines' in result && result.lines.change.map((c) => `${c.from.ip} -> ${c.to.ip}`).slice(0, 3)).toEqual([
      '10.240.10.1 -> 10.240.22.101',
      '10.240.10.2 -> 10.240.22.201',
      '10.240.10.3 -> 10.240.23.51',
    ])
    expect('lines' in result && [result.lines.change.length, result.lines.unchanged.length]).toEqual([20, 20])
  })

  it.each(['start', 'middle', 'end'] as const)('refuses lines repeating a host, at the %s, as before', (where) => {
    expect(check(repeatedHosts(where))).toEqual({ messages: verdicts.repeat[where] })
  })

  it.each(['start', 'middle', 'end'] as const)(
    'refuses addresses and names already taken, at the %s, as before',
    (where) => {
      expect(check(takenAddressesAndNames(where))).toEqual({ messages: verdicts.taken[where] })
    },
  )

  it('names every problem of a line in the order of the entries it clashes with, as before', () => {
    const paste = [
      `52:54:00:cc:00:01,${ipAt(1003)},old5`,
      `52:54:00:cc:00:02,${ipAt(9)},old2`,
      ',fd00:240::50,v6-a',
      '00:01:00:01:cc:03,fd00:240::50,v6-b',
      `52:54:00:aa:00:04,${ipAt(4)},old4`,
    ]
    expect(checkImport(paste.join('\n'), network, desired, drift)).toEqual({
      messages: [
        'Line 1: 10.240.14.4 is already pinned to 52:54:00:dd:00:03. The name old5 is already used by 52:54:00:aa:00:05.',
        'Line 2: The name old2 is already used by 52:54:00:aa:00:02. 10.240.10.10 is already pinned to 52:54:00:aa:00:09.',
        'Line 3: fd00:240::50 is already pinned to 00:01:00:01:cc:03.',
        'Line 4: fd00:240::50 is already pinned to v6-a.',
      ],
    })
  })
})

describe('checkTable: CSV that is the whole table (a declarative PUT)', () => {
  const small = desired.slice(0, 3)
  const unmanaged = drift.slice(0, 2)
  const table = (lines: string[]) => checkTable(lines.join('\n'), network, small, unmanaged)

  it('sorts the lines into added, changed, unchanged, and what the CSV leaves out into removed', () => {
    const result = table([
      `${small[0]!.mac},${small[0]!.ip},${small[0]!.name}`,
      `${small[1]!.mac},10.240.99.1,${small[1]!.name}`,
      `52:54:00:cc:00:01,10.240.99.2,fresh`,
      `${unmanaged[0]!.mac},${unmanaged[0]!.ip}`,
    ])
    if (!('lines' in result)) throw new Error(result.messages.join(' '))
    expect(result.lines.unchanged.map((e) => e.mac)).toEqual([small[0]!.mac])
    expect(result.lines.change.map((c) => [c.from.ip, c.to.ip])).toEqual([[small[1]!.ip, '10.240.99.1']])
    // the host's unmanaged entry the CSV names joins the table; the one it leaves out goes
    expect(result.lines.add.map((e) => e.mac)).toEqual(['52:54:00:cc:00:01', unmanaged[0]!.mac])
    expect(result.lines.remove.map((e) => e.mac)).toEqual([small[2]!.mac])
    expect(result.lines.removeUnmanaged.map((e) => e.mac)).toEqual([unmanaged[1]!.mac])
  })

  it('lets a line take the address of an entry the CSV removes (an import refuses it)', () => {
    const line = `52:54:00:cc:00:02,${small[2]!.ip},taker`
    expect('messages' in checkImport(line, network, small, unmanaged)).toBe(true)
    const result = table([line])
    if (!('lines' in result)) throw new Error(result.messages.join(' '))
    expect(result.lines.add.map((e) => e.ip)).toEqual([small[2]!.ip])
    expect(result.lines.remove).toHaveLength(3)
  })

  it('takes an empty CSV as an empty table, and refuses a bad line as the import does', () => {
    const empty = table([])
    if (!('lines' in empty)) throw new Error(empty.messages.join(' '))
    expect(empty.lines.remove).toHaveLength(3)
    expect(empty.lines.removeUnmanaged).toHaveLength(2)
    expect(table(['52:54:00:cc:00:03,10.9.9.9'])).toEqual({ messages: [expect.stringMatching(/^Line 1: /)] })
    expect(table(['52:54:00:cc:00:03,10.240.99.3,a', '52:54:00:cc:00:03,10.240.99.4,b'])).toEqual({
      messages: [expect.stringContaining('also on line 1')],
    })
  })
})
