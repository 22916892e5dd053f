import 'server-only'
import { canonicalMac } from '@/lib/addresses/mac-address'

/*
 * The per-VF lines of `ip link show` on a PF, the only place the kernel reports what the PF driver programmed into
 * each VF (MAC, VLAN, spoof check, trust). Two spellings exist:
 *   iproute2 ≥ 4.x: "vf 0     link/ether 52:54:00:aa:00:01 brd ff:ff:ff:ff:ff:ff, vlan 42, spoof checking on, link-state auto, trust off"
 *   older:          "vf 0 MAC 52:54:00:aa:00:01, vlan 42, spoof checking on, link-state auto"
 */

export type VfLinkInfo = {
  index: number
  /** null when the PF reports 00:00:00:00:00:00 (no MAC programmed). */
  mac: string | null
  vlan: number | null
  qos: number | null
  spoofCheck: boolean | null
  trust: boolean | null
  linkState: string | null
}

const LINK_HEADER = /^\d+:\s+([^:@\s]+)(?:@\S+)?:/
const VF_LINE = /^\s+vf\s+(\d+)\s+(?:link\/ether|MAC)\s+([0-9a-fA-F:]{17})/

const onOff = (text: string | undefined) => (text === undefined ? null : text === 'on')

/** PF name → its VFs as `ip link show` reports them. Links without vf lines are left out. */
export function parseIpLinkVfs(output: string): Map<string, VfLinkInfo[]> {
  const result = new Map<string, VfLinkInfo[]>()
  let current: string | null = null
  for (const line of output.split('\n')) {
    const header = LINK_HEADER.exec(line)
    if (header) {
      current = header[1]!
      continue
    }
    const vf = VF_LINE.exec(line)
    if (!vf || !current) continue
    const rest = line.slice(vf[0].length)
    const mac = canonicalMac(vf[2]!)
    const info: VfLinkInfo = {
      index: Number(vf[1]),
      mac: mac === '00:00:00:00:00:00' ? null : mac,
      vlan: /,\s*vlan (\d+)/.exec(rest) ? Number(/,\s*vlan (\d+)/.exec(rest)![1]) : null,
      qos: /,\s*qos (\d+)/.exec(rest) ? Number(/,\s*qos (\d+)/.exec(rest)![1]) : null,
      spoofCheck: onOff(/spoof checking (on|off)/.exec(rest)?.[1]),
      trust: onOff(/trust (on|off)/.exec(rest)?.[1]),
      linkState: /link-state (\w+)/.exec(rest)?.[1] ?? null,
    }
    result.set(current, [...(result.get(current) ?? []), info])
  }
  return result
}
