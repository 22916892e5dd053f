import 'server-only'
import { nonNegativeInteger } from '@/lib/host-output/field-values'
import { ParseError } from '@/lib/core/errors'

/*
 * `ss -Hlnup` / `ss -Hlntup` lines, e.g.
 *   UNCONN 0      0       192.168.122.1:53 0.0.0.0:* users:(("dnsmasq",pid=14561,fd=5))
 *   udp UNCONN 0      0      0.0.0.0%virbr0:67   0.0.0.0:* users:(("dnsmasq",pid=14561,fd=3))
 * ss prints the Netid column only when more than one socket type is asked for (-u alone: none;
 * -tu: "udp"/"tcp"), so both shapes are accepted. The process list is missing without -p or
 * without the privileges to see the owner.
 *
 * The point is telling DNS listeners apart: libvirt's dnsmasq binds each network's gateway
 * address (192.168.122.1:53), while a system-wide resolver/dnsmasq bound to 0.0.0.0 / [::] / *
 * owns port 53 on every address and makes libvirt's dnsmasq fail to start.
 */

export type SocketProcess = { name: string; pid: number; fd: number }

export type SocketAddress = {
  /** As printed, without brackets or interface: "0.0.0.0", "::", "*", "192.168.122.1". */
  address: string
  port: number | null
  /** Interface the socket is bound to (SO_BINDTODEVICE), from "addr%virbr0:port". */
  interface: string | null
  family: 'ipv4' | 'ipv6' | 'any'
  /** Bound to all addresses of its family. */
  wildcard: boolean
}

export type SocketListener = {
  netid: string | null
  state: string
  recvQ: number
  sendQ: number
  local: SocketAddress
  peer: string
  processes: SocketProcess[]
}

const SOURCE = 'ss'
const WITHOUT_NETID = /^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/
const WITH_NETID = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/

export function parseSsListeners(output: string): SocketListener[] {
  const sockets: SocketListener[] = []
  output.split('\n').forEach((raw, index) => {
    const line = index + 1
    const text = raw.trim()
    if (text === '') return
    if (/^(Netid|State)\s/.test(text))
      throw new ParseError(SOURCE, 'output has a header line; run ss with -H', { line })
    const plain = WITHOUT_NETID.exec(text)
    const tagged = plain ? null : WITH_NETID.exec(text)
    const fields = plain ? [null, ...plain.slice(1)] : tagged ? tagged.slice(1) : null
    if (!fields) throw new ParseError(SOURCE, `cannot read socket line "${text}"`, { line })
    const [netid, state, recvQ, sendQ, local, peer, rest] = fields as [
      string | null,
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    sockets.push({
      netid,
      state,
      recvQ: nonNegativeInteger(recvQ, 'Recv-Q', SOURCE, line),
      sendQ: nonNegativeInteger(sendQ, 'Send-Q', SOURCE, line),
      local: parseSocketAddress(local, line),
      peer,
      processes: parseProcesses(rest),
    })
  })
  return sockets
}

export function parseSocketAddress(text: string, line?: number): SocketAddress {
  const match = /^(.*):([^:\]]+)$/.exec(text)
  if (!match) throw new ParseError(SOURCE, `address "${text}" has no port`, { line })
  const [, host = '', portText = ''] = match
  const port = portText === '*' ? null : nonNegativeInteger(portText, 'port', SOURCE, line)
  let address: string
  let iface: string | null = null
  const bracketed = /^\[([^\]%]+)(?:%([^\]]+))?\](?:%(.+))?$/.exec(host)
  if (bracketed) {
    address = bracketed[1] as string
    iface = bracketed[2] ?? bracketed[3] ?? null
  } else {
    const percent = host.indexOf('%')
    address = percent >= 0 ? host.slice(0, percent) : host
    iface = percent >= 0 ? host.slice(percent + 1) : null
  }
  const family = address === '*' ? 'any' : address.includes(':') ? 'ipv6' : 'ipv4'
  return {
    address,
    port,
    interface: iface,
    family,
    wildcard: address === '*' || address === '0.0.0.0' || address === '::',
  }
}

function parseProcesses(text: string): SocketProcess[] {
  const processes: SocketProcess[] = []
  for (const match of text.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=(\d+)\)/g)) {
    processes.push({ name: match[1] as string, pid: Number(match[2]), fd: Number(match[3]) })
  }
  return processes
}

/**
 * Sockets on `port` bound to every address (not to one gateway address, not to one interface).
 * A hit on port 53 means some resolver other than libvirt's per-network dnsmasq owns DNS.
 */
export function wildcardListeners(sockets: SocketListener[], port: number): SocketListener[] {
  return sockets.filter((s) => s.local.port === port && s.local.wildcard && s.local.interface === null)
}
