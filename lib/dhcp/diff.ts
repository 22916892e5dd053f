import 'server-only'
import { entryKey, sameEntry, type DhcpEntry } from '@/lib/dhcp/entries'

export type HostOp =
  | { kind: 'add'; entry: DhcpEntry }
  | { kind: 'modify'; entry: DhcpEntry; old: DhcpEntry }
  | { kind: 'delete'; old: DhcpEntry }

/**
 * What turns `actual` into `desired` for the managed keys (desired ones plus those being removed); entries with
 * other keys are drift and stay. Ordered so each step is valid for libvirt at the moment it runs: deletes, then
 * modifies, then adds. A modify whose new address or name another entry still holds (a swap) would make libvirt
 * replace the wrong entry (it matches on MAC, IP *or* name), so it becomes a delete plus an add.
 */
export function diffEntries(desired: DhcpEntry[], actual: DhcpEntry[], removedKeys: Iterable<string> = []): HostOp[] {
  const want = new Map(desired.map((e) => [entryKey(e), e]))
  const managed = new Set([...want.keys(), ...removedKeys])
  const have = new Map(actual.map((e) => [entryKey(e), e]))
  // Which keys hold each address and each name on the host, so that spotting a swap is a lookup.
  const holders = (values: Array<[string | undefined, string]>) => {
    const map = new Map<string, string[]>()
    for (const [value, key] of values) {
      if (value === undefined) continue
      const keys = map.get(value)
      if (keys) keys.push(key)
      else map.set(value, [key])
    }
    return map
  }
  const ipHolders = holders(actual.map((e) => [e.ip, entryKey(e)]))
  const nameHolders = holders(actual.map((e) => [e.name, entryKey(e)]))
  const heldByAnother = (map: Map<string, string[]>, value: string | undefined, key: string) =>
    value !== undefined && (map.get(value) ?? []).some((holder) => holder !== key)
  const deletes: HostOp[] = []
  const modifies: HostOp[] = []
  const adds: HostOp[] = []
  for (const [key, old] of have) {
    if (!managed.has(key)) continue
    const entry = want.get(key)
    if (!entry) deletes.push({ kind: 'delete', old })
    else if (!sameEntry(entry, old)) {
      const clash = heldByAnother(ipHolders, entry.ip, key) || heldByAnother(nameHolders, entry.name, key)
      const sameFamily = entry.family === old.family
      if (clash || !sameFamily) {
        deletes.push({ kind: 'delete', old })
        adds.push({ kind: 'add', entry })
      } else modifies.push({ kind: 'modify', entry, old })
    }
  }
  for (const [key, entry] of want) if (!have.has(key)) adds.push({ kind: 'add', entry })
  return [...deletes, ...modifies, ...adds]
}

export function describeOp(op: HostOp): string {
  const entryLabel = (e: DhcpEntry) => e.mac ?? e.id ?? e.name ?? '?'
  const what = (e: DhcpEntry) => `${entryLabel(e)} → ${e.ip}${e.name ? ` (${e.name})` : ''}`
  if (op.kind === 'add') return `Add ${what(op.entry)}`
  if (op.kind === 'modify')
    return `Change ${entryLabel(op.old)} from ${op.old.ip}${op.old.name ? ` (${op.old.name})` : ''} to ${op.entry.ip}${op.entry.name ? ` (${op.entry.name})` : ''}`
  return `Remove ${what(op.old)}`
}
