import 'server-only'
import {
  optionalNumber,
  optionalObject,
  optionalString,
  parseJsonArray,
  requiredNumber,
  requiredString,
  stringArray,
  type JsonObject,
} from '@/lib/host-output/json-input'

export type IpLink = {
  index: number
  name: string
  flags: string[]
  /** Administratively up (the UP flag); operState says whether it carries traffic. */
  up: boolean
  mtu: number
  operState: string
  mac: string | null
  /** Bridge (or bond) this link is enslaved to. */
  master: string | null
  /** linkinfo.info_kind with -d: "bridge", "veth", "tun", ... */
  kind: string | null
  /** linkinfo.info_slave_kind with -d: "bridge" for a bridge port. */
  slaveKind: string | null
  /** Bridges only, with -d: 0 = STP off, 1 = kernel STP, 2 = user-space STP. */
  stpState: number | null
}

const SOURCE = 'ip -j link'

/** `ip -j link show type bridge` and `ip -j -d link show` (the latter adds kind and STP details). */
export function parseIpLinks(output: string, source = SOURCE): IpLink[] {
  return parseJsonArray(output, source).map((obj, i) => readLink(obj, source, i + 1))
}

export function readLink(obj: JsonObject, source: string, entry: number): IpLink {
  const flags = stringArray(obj, 'flags', source, entry)
  const linkinfo = optionalObject(obj, 'linkinfo', source, entry)
  const infoData = linkinfo ? optionalObject(linkinfo, 'info_data', source, entry) : null
  return {
    index: requiredNumber(obj, 'ifindex', source, entry),
    name: requiredString(obj, 'ifname', source, entry),
    flags,
    up: flags.includes('UP'),
    mtu: requiredNumber(obj, 'mtu', source, entry),
    operState: optionalString(obj, 'operstate', source, entry) ?? 'UNKNOWN',
    mac: optionalString(obj, 'address', source, entry),
    master: optionalString(obj, 'master', source, entry),
    kind: linkinfo ? optionalString(linkinfo, 'info_kind', source, entry) : null,
    slaveKind: linkinfo ? optionalString(linkinfo, 'info_slave_kind', source, entry) : null,
    stpState: infoData ? optionalNumber(infoData, 'stp_state', source, entry) : null,
  }
}

/** Bridge name → names of its ports, from links that carry `master` (ip -j -d link show). */
export function bridgePorts(links: IpLink[]): Map<string, string[]> {
  const bridges = new Set(links.filter((l) => l.kind === 'bridge').map((l) => l.name))
  const ports = new Map<string, string[]>([...bridges].map((b) => [b, []]))
  for (const link of links) {
    if (!link.master) continue
    // Without -d the kind is unknown; then any master is taken to be a bridge.
    if (bridges.size > 0 && !bridges.has(link.master)) continue
    ports.set(link.master, [...(ports.get(link.master) ?? []), link.name])
  }
  return ports
}
