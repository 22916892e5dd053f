import type { PortForward } from '@/lib/db/generated/client'
import type { describeFixture } from '@/lib/test/forward-lab'

/** `count` TCP forwards to the fixture's guest, one host port each from `firstHostPort`, as the table keeps them. */
export function benchForwardTable(
  f: ReturnType<typeof describeFixture>,
  hostId: string,
  { count = 1000, idPrefix = 'bench', firstHostPort = 30000 } = {},
): PortForward[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${idPrefix}${i}`,
    hostId,
    guestName: f.guestName,
    guestUuid: f.guestUuid,
    network: f.network,
    bridge: f.bridge,
    subnet: f.subnet,
    guestMac: f.guestMac,
    guestIp: f.guestIp,
    protocol: 'tcp',
    hostPortStart: firstHostPort + i,
    hostPortEnd: firstHostPort + i,
    guestPortStart: 8000 + (i % 100),
    guestPortEnd: 8000 + (i % 100),
    hostAddress: null,
    sourceCidrs: '',
    description: '',
    ownerId: null,
    ownerName: 'bench',
    createdAt: new Date(),
    family: 'ipv4',
  }))
}

/** The one forward the add-to-live figures add: host port 29000 to the fixture guest's port 80. */
export function benchForwardInput(f: ReturnType<typeof describeFixture>) {
  return {
    guest: `${f.guestUuid}/${f.network}`,
    protocol: 'tcp' as const,
    hostPort: { start: 29000, end: 29000 },
    guestPort: { start: 80, end: 80 },
    sourceCidrs: [],
    description: 'bench',
    hostAddress: null,
    createMapping: false,
  }
}
