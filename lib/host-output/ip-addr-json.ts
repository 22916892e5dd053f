import 'server-only'
import { readLink, type IpLink } from '@/lib/host-output/ip-link-json'
import {
  optionalString,
  parseJsonArray,
  requiredNumber,
  requiredString,
  type JsonObject,
} from '@/lib/host-output/json-input'
import { ParseError } from '@/lib/core/errors'

export type IpAddress = {
  family: 'ipv4' | 'ipv6'
  address: string
  prefix: number
  scope: string | null
  label: string | null
}
export type IpLinkWithAddresses = IpLink & { addresses: IpAddress[] }

const SOURCE = 'ip -j addr'

/** `ip -j addr` (or `ip -j addr show dev X`). */
export function parseIpAddresses(output: string): IpLinkWithAddresses[] {
  return parseJsonArray(output, SOURCE).map((obj, i) => {
    const entry = i + 1
    const info = obj.addr_info ?? []
    if (!Array.isArray(info)) throw new ParseError(SOURCE, `entry ${entry}: "addr_info" should be a list`)
    if (info.some((a) => typeof a !== 'object' || a === null || Array.isArray(a)))
      throw new ParseError(SOURCE, `entry ${entry}: "addr_info" should hold objects`)
    return { ...readLink(obj, SOURCE, entry), addresses: (info as JsonObject[]).map((a) => readAddress(a, entry)) }
  })
}

function readAddress(obj: JsonObject, entry: number): IpAddress {
  const family = requiredString(obj, 'family', SOURCE, entry)
  if (family !== 'inet' && family !== 'inet6')
    throw new ParseError(SOURCE, `entry ${entry}: unexpected address family "${family}"`)
  return {
    family: family === 'inet' ? 'ipv4' : 'ipv6',
    address: requiredString(obj, 'local', SOURCE, entry),
    prefix: requiredNumber(obj, 'prefixlen', SOURCE, entry),
    scope: optionalString(obj, 'scope', SOURCE, entry),
    label: optionalString(obj, 'label', SOURCE, entry),
  }
}
