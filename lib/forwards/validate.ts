import 'server-only'
import type { PortRange } from '@/lib/addresses/value-rules'
import type { SocketListener } from '@/lib/host-output/ss-listeners'

// Ports and ranges are read by the one port-range rule (lib/addresses/value-rules.ts).
export { parsePortRange, type PortRange } from '@/lib/addresses/value-rules'
export type Protocol = 'tcp' | 'udp'

export const formatRange = (r: PortRange) => (r.start === r.end ? `${r.start}` : `${r.start}–${r.end}`)
const overlaps = (a: PortRange, b: PortRange) => a.start <= b.end && b.start <= a.end

type ExistingForward = {
  id: string
  protocol: string
  hostPortStart: number
  hostPortEnd: number
  hostAddress: string | null
  guestName: string
}

/** Another forward already owns one of these host ports for this protocol on this (or every) address. */
export function conflictingForward<F extends ExistingForward>(
  existing: F[],
  protocol: Protocol,
  range: PortRange,
  hostAddress: string | null,
): F | undefined {
  return existing.find(
    (f) =>
      f.protocol === protocol &&
      overlaps(range, { start: f.hostPortStart, end: f.hostPortEnd }) &&
      (f.hostAddress === null || hostAddress === null || f.hostAddress === hostAddress),
  )
}

/**
 * A host service listening on one of these ports (on every address, or on the address the forward would use). A
 * service on loopback only counts too: the host's own clients of it would meet the forward's port on every other
 * address, and a port two things answer on is one nobody can reason about.
 */
export function conflictingListener(
  listeners: SocketListener[],
  protocol: Protocol,
  range: PortRange,
  hostAddress: string | null,
): SocketListener | undefined {
  return listeners.find((socket) => {
    if (socket.netid && socket.netid !== protocol) return false
    const port = socket.local.port
    if (port === null || port < range.start || port > range.end) return false
    return socket.local.wildcard || hostAddress === null || socket.local.address === hostAddress
  })
}

/** A range can only be forwarded to the same ports; a single port may go to any single port. */
export function guestRangeProblem(host: PortRange, guest: PortRange): string | null {
  if (host.start === host.end)
    return guest.start === guest.end ? null : 'A single host port forwards to a single guest port.'
  if (guest.start !== host.start || guest.end !== host.end)
    return `A host port range forwards to the same ports on the guest: use ${formatRange(host)}.`
  return null
}

export type SelfServiceLimits = { portMin: number; portMax: number; maxForwards: number }

/** Why a self-service user may not have this forward, or null. */
export function selfServiceProblem(
  limits: SelfServiceLimits | null,
  range: PortRange,
  ownedCount: number,
): { field: 'hostPort'; message: string } | null {
  if (!limits) return { field: 'hostPort', message: 'An administrator has not given you any host ports yet.' }
  if (range.start < limits.portMin || range.end > limits.portMax) {
    return {
      field: 'hostPort',
      message: `Host port ${formatRange(range)} is outside your allowed range ${limits.portMin}–${limits.portMax}.`,
    }
  }
  if (ownedCount >= limits.maxForwards)
    return {
      field: 'hostPort',
      message: `You already have ${ownedCount} forwards, your maximum is ${limits.maxForwards}. Remove one first.`,
    }
  return null
}
