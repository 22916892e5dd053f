import 'server-only'
import { ParseError } from '@/lib/core/errors'

const SOURCE = 'sysctl net.ipv4.ip_forward'

/** `sysctl -n net.ipv4.ip_forward` ("1") or `sysctl net.ipv4.ip_forward` ("net.ipv4.ip_forward = 1"). */
export function parseIpForward(output: string): boolean {
  const text = output.trim()
  const match = /^(?:net\.ipv4\.ip_forward\s*=\s*)?([01])$/.exec(text)
  if (!match) throw new ParseError(SOURCE, `expected 0 or 1, got "${text}"`)
  return match[1] === '1'
}
