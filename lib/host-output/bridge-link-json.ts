import 'server-only'
import {
  optionalNumber,
  optionalString,
  parseJsonArray,
  requiredNumber,
  requiredString,
  stringArray,
} from '@/lib/host-output/json-input'

export type BridgePort = {
  index: number
  name: string
  /** The bridge this port belongs to. */
  master: string | null
  /** STP port state: forwarding, learning, blocking, listening, disabled. */
  state: string | null
  flags: string[]
  mtu: number | null
  priority: number | null
  cost: number | null
}

const SOURCE = 'bridge -j link'

export function parseBridgeLinks(output: string): BridgePort[] {
  return parseJsonArray(output, SOURCE).map((obj, i) => {
    const entry = i + 1
    return {
      index: requiredNumber(obj, 'ifindex', SOURCE, entry),
      name: requiredString(obj, 'ifname', SOURCE, entry),
      master: optionalString(obj, 'master', SOURCE, entry),
      state: optionalString(obj, 'state', SOURCE, entry),
      flags: stringArray(obj, 'flags', SOURCE, entry),
      mtu: optionalNumber(obj, 'mtu', SOURCE, entry),
      priority: optionalNumber(obj, 'priority', SOURCE, entry),
      cost: optionalNumber(obj, 'cost', SOURCE, entry),
    }
  })
}
