import 'server-only'
import { toDisplayColumns } from '@/lib/host-output/display-width'
import { ParseError } from '@/lib/core/errors'

/*
 * Reader for virsh's vshTable output (net-list, list, domiflist, net-dhcp-leases):
 *
 *    Name      State      Autostart   Persistent        <- header (absent with `virsh -q`)
 *   ----------------------------------------------
 *    default   active     yes         yes
 *
 * Every cell is written left-aligned at a fixed display column, padded so that at least three
 * spaces separate it from the next. Cells are therefore cut at column positions, never split on
 * whitespace: values such as "shut off" or a lease's "2024-01-01 10:00:00" contain spaces.
 * With a header the positions come from its labels. Quiet mode (`-q`, used by lib/libvirt/virsh.ts)
 * drops the header, so the positions are inferred instead: a column starts where every row has a
 * character after a run of at least three spaces.
 */

export type TableColumn<K extends string> = { key: K; header: string }

export type TableRow<K extends string> = { cells: Record<K, string>; line: number }

export function parseVirshTable<K extends string>(
  output: string,
  columns: readonly TableColumn<K>[],
  source: string,
): TableRow<K>[] {
  const lines = output.split('\n').map((text, index) => ({ text: text.replace(/\r$/, ''), line: index + 1 }))
  const nonEmpty = lines.filter((l) => l.text.trim() !== '')
  const first = nonEmpty[0]
  if (!first) return []

  const second = nonEmpty[1]
  const hasHeader = second !== undefined && /^-+$/.test(second.text.trim())
  const dataLines = hasHeader ? nonEmpty.slice(2) : nonEmpty
  const rows = dataLines.map((l) => ({ columns: toDisplayColumns(l.text), line: l.line }))
  const starts = hasHeader
    ? headerStarts(first.text, first.line, columns, source)
    : inferredStarts(rows, columns, source)

  return rows.map((row) => {
    const cells = {} as Record<K, string>
    columns.forEach((column, index) => {
      const start = starts[index] as number
      const end = starts[index + 1] ?? row.columns.length
      // A cell must begin right after blank space; anything else means the row is shifted.
      if (index > 0 && row.columns.length > start && row.columns[start - 1] !== ' ') {
        throw new ParseError(source, `row does not line up with the "${column.header}" column`, { line: row.line })
      }
      cells[column.key] = row.columns.slice(start, end).join('').trim()
    })
    return { cells, line: row.line }
  })
}

function headerStarts<K extends string>(
  header: string,
  line: number,
  columns: readonly TableColumn<K>[],
  source: string,
): number[] {
  const display = toDisplayColumns(header)
  const starts: number[] = []
  let from = 0
  for (const column of columns) {
    const at = findLabel(display, column.header, from)
    if (at < 0) {
      const expected = columns.map((c) => c.header).join(', ')
      throw new ParseError(source, `unexpected table header "${header.trim()}" (expected columns: ${expected})`, {
        line,
      })
    }
    starts.push(at)
    from = at + column.header.length
  }
  const trailing = display.slice(from).join('').trim()
  if (trailing) throw new ParseError(source, `unexpected extra column "${trailing}" in table header`, { line })
  return starts
}

/** Position of `label` as a whole word in the display columns, or -1. */
function findLabel(display: string[], label: string, from: number): number {
  const text = display.join('')
  // Header labels are ASCII, so string and display offsets agree up to the first match.
  for (let at = text.indexOf(label, from); at >= 0; at = text.indexOf(label, at + 1)) {
    const before = at === 0 ? ' ' : text[at - 1]
    const after = text[at + label.length] ?? ' '
    if (before === ' ' && after === ' ') return at
  }
  return -1
}

function inferredStarts<K extends string>(
  rows: { columns: string[]; line: number }[],
  columns: readonly TableColumn<K>[],
  source: string,
): number[] {
  let common: Set<number> | undefined
  for (const row of rows) {
    const starts = new Set<number>()
    const firstText = row.columns.findIndex((c) => c !== ' ')
    if (firstText >= 0) starts.add(firstText)
    for (let i = 3; i < row.columns.length; i++) {
      if (
        row.columns[i] !== ' ' &&
        row.columns[i - 1] === ' ' &&
        row.columns[i - 2] === ' ' &&
        row.columns[i - 3] === ' '
      )
        starts.add(i)
    }
    common = common ? new Set([...common].filter((s) => starts.has(s))) : starts
  }
  const starts = [...(common ?? [])].sort((a, b) => a - b)
  if (starts.length !== columns.length) {
    const line = rows[0]?.line
    throw new ParseError(
      source,
      `cannot find the ${columns.length} columns (${columns.map((c) => c.header).join(', ')}) in header-less output; found ${starts.length}`,
      line === undefined ? undefined : { line },
    )
  }
  return starts
}
