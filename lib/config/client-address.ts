import { BlockList, isIP } from 'node:net'
import type { IncomingHttpHeaders } from 'node:http'

/**
 * Who is on the other end of a request. Forwarding headers (X-Forwarded-For, -Proto, -Host) are written by whoever
 * sends the request, so they are believed only when the socket's peer is one of the proxies named in
 * VIRTNET_TRUSTED_PROXIES (addresses or CIDR blocks, comma-separated; empty by default: the socket decides).
 *
 * The server process learns both from the socket (lib/boot/request-origin.ts) and hands them to the app in the
 * `clientHeaders` below, which it overwrites on every request so that no client can set them.
 */
export const clientHeaders = { address: 'x-virtnet-client', protocol: 'x-virtnet-proto' } as const

export type ClientOrigin = { address: string; https: boolean }

/** '::ffff:127.0.0.1' (an IPv4 peer on a dual-stack socket) is 127.0.0.1. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed)
  return mapped?.[1] ?? trimmed
}

export function parseTrustedProxies(value: string | undefined): BlockList {
  const list = new BlockList()
  for (const entry of (value ?? '').split(',').map((part) => part.trim())) {
    if (!entry) continue
    const [written = '', bits, extra] = entry.split('/')
    const address = normalizeAddress(written)
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    const maxBits = family === 'ipv6' ? 128 : 32
    if (extra !== undefined || !isIP(address) || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && +bits <= maxBits)))
      throw new Error(`VIRTNET_TRUSTED_PROXIES: "${entry}" is not an address or a CIDR block`)
    if (bits === undefined) list.addAddress(address, family)
    else list.addSubnet(address, Number(bits), family)
  }
  return list
}

export function isTrusted(list: BlockList, address: string): boolean {
  const normalized = normalizeAddress(address)
  const family = isIP(normalized)
  return family !== 0 && list.check(normalized, family === 6 ? 'ipv6' : 'ipv4')
}

const headerValues = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((part) => part.split(','))

/**
 * The client of one request: the socket's peer, unless that peer is a trusted proxy; then the nearest address in
 * X-Forwarded-For that is not a trusted proxy (read from the right: everything left of it was written by a client),
 * and the scheme from X-Forwarded-Proto.
 */
export function clientOrigin(
  peer: string | undefined,
  encrypted: boolean,
  headers: IncomingHttpHeaders,
  trusted: BlockList,
): ClientOrigin {
  const socketAddress = normalizeAddress(peer ?? '') || 'unknown'
  if (!isTrusted(trusted, socketAddress)) return { address: socketAddress, https: encrypted }
  const hops = headerValues(headers['x-forwarded-for'])
    .map(normalizeAddress)
    .filter((hop) => isIP(hop))
  let address = socketAddress
  for (const hop of hops.toReversed()) {
    address = hop
    if (!isTrusted(trusted, address)) break
  }
  const proto = headerValues(headers['x-forwarded-proto']).map((part) => part.trim().toLowerCase())
  return { address, https: encrypted || proto[0] === 'https' }
}
