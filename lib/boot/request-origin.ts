import 'server-only'
import http from 'node:http'
import type { TLSSocket } from 'node:tls'
import { clientHeaders, clientOrigin, isTrusted, parseTrustedProxies } from '@/lib/config/client-address'

const forwardingHeaders = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port']
const installed = Symbol.for('virtnet.requestOrigin')

/**
 * Next.js gives server actions the request's headers but not its socket, and fills X-Forwarded-For from the socket
 * only when the client did not send one — so whatever a client writes there would pass for its address. Before Next
 * sees a request, this reads the peer from the socket: from anyone but a trusted proxy the forwarding headers are
 * dropped (Next then fills them from the socket, and its server-action origin check compares the real Host); and
 * the client's address and scheme go into Virtnet's own headers, overwritten on every request, which
 * lib/auth/client.ts reads.
 */
export function installRequestOrigin(trustedProxies = process.env.VIRTNET_TRUSTED_PROXIES) {
  const trusted = parseTrustedProxies(trustedProxies)
  const proto = http.Server.prototype as http.Server & { [installed]?: boolean }
  if (proto[installed]) return
  proto[installed] = true
  const emit = proto.emit
  proto.emit = function (this: http.Server, event: string | symbol, ...args: [unknown, ...unknown[]]) {
    if (event === 'request') {
      const request = args[0] as http.IncomingMessage
      const socket = request.socket as TLSSocket | undefined
      const origin = clientOrigin(socket?.remoteAddress, Boolean(socket?.encrypted), request.headers, trusted)
      if (!isTrusted(trusted, socket?.remoteAddress ?? ''))
        for (const name of forwardingHeaders) delete request.headers[name]
      request.headers[clientHeaders.address] = origin.address
      request.headers[clientHeaders.protocol] = origin.https ? 'https' : 'http'
    }
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>)
  } as typeof proto.emit
}
