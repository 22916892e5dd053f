import 'server-only'
import { ParseError } from '@/lib/core/errors'

export type IptablesVersion = {
  version: string
  /**
   * Which kernel API this iptables binary drives. Rules added through one are invisible to the
   * other, so it matters when reading libvirt's firewall rules. iptables before 1.8 only had the
   * legacy backend and does not print it.
   */
  backend: 'nf_tables' | 'legacy'
}

const SOURCE = 'iptables --version'

/** "iptables v1.8.9 (nf_tables)", "iptables v1.8.7 (legacy)", "iptables v1.6.1". */
export function parseIptablesVersion(output: string): IptablesVersion {
  const text = output.trim()
  const match = /^ip6?tables(?:-\S+)? v(\d+(?:\.\d+)*)(?: \((nf_tables|legacy)\))?$/.exec(text)
  if (!match) throw new ParseError(SOURCE, `unexpected version line "${text}"`)
  return { version: match[1] as string, backend: match[2] === 'nf_tables' ? 'nf_tables' : 'legacy' }
}
