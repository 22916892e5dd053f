import 'server-only'
import { KeyValueReader, parseKeyValueLines } from '@/lib/host-output/key-value'
import { ParseError } from '@/lib/core/errors'

export type SemanticVersion = { major: number; minor: number; micro: number; text: string }

export type VirshVersion = {
  /** libvirt the virsh binary was built against. */
  compiledAgainst: SemanticVersion | null
  library: SemanticVersion
  /** Hypervisor driver API, e.g. { driver: 'QEMU', version: 9.0.0 }. */
  api: { driver: string; version: SemanticVersion } | null
  /** The running hypervisor (absent when the connection's driver reports none). */
  hypervisor: { name: string; version: SemanticVersion } | null
}

const SOURCE = 'virsh version'

export function parseSemanticVersion(text: string, source: string, line?: number): SemanticVersion {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim())
  if (!match) throw new ParseError(source, `expected a version like 9.0.0, got "${text.trim()}"`, { line })
  return { major: Number(match[1]), minor: Number(match[2]), micro: Number(match[3] ?? 0), text: text.trim() }
}

/** `virsh --version` prints just "9.0.0". */
export function parseVirshVersionFlag(output: string): SemanticVersion {
  return parseSemanticVersion(output, 'virsh --version')
}

/** Compares versions like libvirt's packed integers (major*1e6 + minor*1e3 + micro). */
export function versionAtLeast(version: SemanticVersion, major: number, minor = 0, micro = 0): boolean {
  return version.major * 1_000_000 + version.minor * 1000 + version.micro >= major * 1_000_000 + minor * 1000 + micro
}

/** `virsh version`: "Compiled against library: libvirt 9.0.0", "Running hypervisor: QEMU 7.2.0", ... */
export function parseVirshVersion(output: string): VirshVersion {
  const kv = new KeyValueReader(parseKeyValueLines(output, SOURCE), SOURCE)
  const named = (key: string): { name: string; version: SemanticVersion } | null => {
    const entry = kv.optional(key)
    if (!entry) return null
    const match = /^(.+) (\S+)$/.exec(entry.value)
    if (!match)
      throw new ParseError(SOURCE, `${key} should look like "libvirt 9.0.0", got "${entry.value}"`, {
        line: entry.line,
      })
    return { name: match[1] as string, version: parseSemanticVersion(match[2] as string, SOURCE, entry.line) }
  }
  const library = named('Using library')
  if (!library) throw new ParseError(SOURCE, 'missing "Using library" line')
  const api = named('Using API')
  return {
    compiledAgainst: named('Compiled against library')?.version ?? null,
    library: library.version,
    api: api ? { driver: api.name, version: api.version } : null,
    hypervisor: named('Running hypervisor'),
  }
}
