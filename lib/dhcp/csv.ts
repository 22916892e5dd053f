import 'server-only'

/**
 * One pasted CSV line: `mac,ip,name` for IPv4, `duid,ip,name` for DHCPv6 (the address decides which; the name is
 * optional, and an IPv6 line may leave the DUID empty and go by name). A first line starting with "mac" or "duid" is
 * a header.
 */
export type CsvRow = { line: number; client: string; ip: string; name: string }

export function parseMappingCsv(text: string): { rows: CsvRow[]; errors: Array<{ line: number; message: string }> } {
  const rows: CsvRow[] = []
  const errors: Array<{ line: number; message: string }> = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1
    const value = raw.trim()
    if (!value || value.startsWith('#')) return
    if (rows.length === 0 && errors.length === 0 && /^(mac|duid)\s*,/i.test(value)) return
    const fields = value.split(',').map((f) => f.trim())
    if (fields.length < 2 || fields.length > 3) {
      errors.push({
        line,
        message: `expected "mac,ip,name" or "duid,ip,name" (name optional), got ${fields.length} field${fields.length === 1 ? '' : 's'}`,
      })
      return
    }
    rows.push({ line, client: fields[0]!, ip: fields[1]!, name: fields[2] ?? '' })
  })
  return { rows, errors }
}
