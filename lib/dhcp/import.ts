import 'server-only'
import { ipFamilyOf } from '@/lib/addresses/ip-address'
import type { NetworkDefinition } from '@/lib/libvirt-xml/network-types'
import { EntryIndex, entryKey, sameEntry, validateEntry, type DhcpEntry, type EntryInput } from '@/lib/dhcp/entries'
import { parseMappingCsv, type CsvRow } from '@/lib/dhcp/csv'

export type ImportLines = {
  add: DhcpEntry[]
  change: Array<{ from: DhcpEntry; to: DhcpEntry }>
  unchanged: DhcpEntry[]
}

/**
 * Pasted CSV checked against the network and everything that stays (`desired` and the host's unmanaged `drift`), and
 * its lines sorted into added, changed and unchanged; or every problem, one message per line, when any line is bad
 * (the whole paste is refused).
 */
export function checkImport(
  csv: string,
  definition: NetworkDefinition,
  desired: DhcpEntry[],
  drift: DhcpEntry[],
): { lines: ImportLines } | { messages: string[] } {
  return checkLines(csv, definition, desired, [...drift, ...desired], false)
}

/** A whole table's lines (a declarative PUT): as an import, and what of the table and the host's entries goes. */
export type TableLines = ImportLines & {
  /** entries of the table the CSV no longer has */
  remove: DhcpEntry[]
  /** entries on the host Virtnet does not keep (drift) that the CSV does not have: the host loses them too */
  removeUnmanaged: DhcpEntry[]
}

/**
 * CSV that IS the network's whole static table: every line checked as an import is, but against the other lines only
 * (what is not in the CSV goes, so it cannot clash), and sorted into added, changed, unchanged and removed. An empty
 * CSV is an empty table.
 */
export function checkTable(
  csv: string,
  definition: NetworkDefinition,
  desired: DhcpEntry[],
  drift: DhcpEntry[],
): { lines: TableLines } | { messages: string[] } {
  const checked = checkLines(csv, definition, desired, [], true)
  if ('messages' in checked) return checked
  const kept = new Set(
    [...checked.lines.add, ...checked.lines.unchanged, ...checked.lines.change.map((c) => c.to)].map(entryKey),
  )
  return {
    lines: {
      ...checked.lines,
      remove: desired.filter((e) => !kept.has(entryKey(e))),
      removeUnmanaged: drift.filter((e) => !kept.has(entryKey(e))),
    },
  }
}

/** `stays`: the entries the lines must not clash with besides each other; `emptyIsTable`: no lines is a valid answer. */
function checkLines(
  csv: string,
  definition: NetworkDefinition,
  desired: DhcpEntry[],
  stays: DhcpEntry[],
  emptyIsTable: boolean,
): { lines: ImportLines } | { messages: string[] } {
  const { rows, errors } = parseMappingCsv(csv)
  const messages = errors.map((e) => `Line ${e.line}: ${e.message}.`)
  if (!rows.length && !messages.length && !emptyIsTable)
    return { messages: ['Paste at least one line "mac,ip,name" (IPv6: "duid,ip,name").'] }
  const byKey = new Map(stays.map((e) => [entryKey(e), e]))
  const candidate: DhcpEntry[] = []
  const seen = new Map<string, number>()
  // First pass: each line on its own; second: each against everything that stays, the other lines included (one
  // index of it all, so the check is linear in the number of lines).
  // The address says which kind of client the first column names: a MAC for IPv4, a DUID for DHCPv6.
  const inputOf = (row: CsvRow): EntryInput =>
    ipFamilyOf(row.ip) === 'ipv6'
      ? { id: row.client || undefined, ip: row.ip, name: row.name }
      : { mac: row.client, ip: row.ip, name: row.name }
  const parsed = rows.map((row) => ({ row, result: validateEntry(inputOf(row), definition, []) }))
  for (const { row, result } of parsed) {
    if ('errors' in result) messages.push(`Line ${row.line}: ${Object.values(result.errors).flat().join(' ')}`)
    else {
      const key = entryKey(result.entry)
      if (seen.has(key)) messages.push(`Line ${row.line}: ${row.client || row.name} is also on line ${seen.get(key)}.`)
      seen.set(key, row.line)
      candidate.push(result.entry)
    }
  }
  if (!messages.length) {
    const finalMap = new Map(byKey)
    for (const entry of candidate) finalMap.set(entryKey(entry), entry)
    const final = new EntryIndex([...finalMap.values()])
    parsed.forEach(({ row }, index) => {
      const entry = candidate[index]!
      const result = validateEntry(
        { mac: entry.mac, id: entry.id, ip: entry.ip, name: entry.name },
        definition,
        final,
        entryKey(entry),
      )
      if ('errors' in result) messages.push(`Line ${row.line}: ${Object.values(result.errors).flat().join(' ')}`)
    })
  }
  if (messages.length) return { messages }
  const lines: ImportLines = { add: [], change: [], unchanged: [] }
  const desiredKeys = new Map(desired.map((e) => [entryKey(e), e]))
  for (const entry of candidate) {
    const current = desiredKeys.get(entryKey(entry))
    if (!current) lines.add.push(entry)
    else if (sameEntry(current, entry)) lines.unchanged.push(entry)
    else lines.change.push({ from: current, to: entry })
  }
  return { lines }
}
