import 'server-only'
import { headers } from 'next/headers'
import { clientHeaders, type ClientOrigin } from '@/lib/config/client-address'

/**
 * The client of the request being served, as the server process read it from the socket (and from a trusted
 * proxy's forwarding headers): lib/boot/request-origin.ts writes these headers on every request, over anything a
 * client sent under the same names. Outside a real server (no such header) the address is "unknown".
 */
export async function requestClient(): Promise<ClientOrigin> {
  const list = await headers()
  return {
    address: list.get(clientHeaders.address) || 'unknown',
    https: list.get(clientHeaders.protocol) === 'https',
  }
}
