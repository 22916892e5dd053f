import 'server-only'
import { ParseError } from '@/lib/core/errors'

/*
 * "Key:   value" blocks (virsh net-info, dominfo, version). virsh pads the key column with
 * spaces after the colon; values may themselves contain colons (UUIDs do not, but times and
 * security labels do), so only the first ": " splits.
 */
export type KeyValueLine = { key: string; value: string; line: number }

export function parseKeyValueLines(output: string, source: string): KeyValueLine[] {
  const entries: KeyValueLine[] = []
  output.split('\n').forEach((raw, index) => {
    const text = raw.replace(/\r$/, '')
    if (text.trim() === '') return
    const match = /^([^:]+):(?:\s+(.*))?$/.exec(text)
    if (!match) throw new ParseError(source, `expected "Key: value", got "${text.trim()}"`, { line: index + 1 })
    entries.push({ key: (match[1] as string).trim(), value: (match[2] ?? '').trim(), line: index + 1 })
  })
  return entries
}

/** Looks up keys and reports a missing one in operator terms. */
export class KeyValueReader {
  private readonly map: Map<string, KeyValueLine>

  constructor(
    entries: KeyValueLine[],
    private readonly source: string,
  ) {
    this.map = new Map(entries.map((e) => [e.key, e]))
  }

  optional(key: string): KeyValueLine | undefined {
    return this.map.get(key)
  }

  required(key: string): KeyValueLine {
    const entry = this.map.get(key)
    if (!entry) throw new ParseError(this.source, `missing "${key}" line`)
    return entry
  }
}
