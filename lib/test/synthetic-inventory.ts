// A made-up inventory document of any size, for the topology layout test and the fleet benches: `networks` NAT
// networks (10.N.0.0/24, each on its own virbr), two physical NICs (one in a host bridge, one a PF with a pool),
// and `guests` guests spread over the networks, each with a lease and every fifth with a forward.
import { INVENTORY_VERSION, type InventoryDocument } from '@/lib/inventory/document'

const mac = (i: number) =>
  `52:54:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`

export function syntheticInventory({
  networks,
  guests,
  seed = 0,
}: {
  networks: number
  guests: number
  seed?: number
}): InventoryDocument {
  const nets = Array.from({ length: networks }, (_, n) => ({
    name: `net-${n}`,
    active: true,
    autostart: true,
    forwardMode: 'nat',
    bridge: `virbr${n}`,
    ipv4: { gateway: `10.${n}.${seed % 250}.1`, subnet: `10.${n}.${seed % 250}.0/24` },
    ranges: [{ start: `10.${n}.${seed % 250}.2`, end: `10.${n}.${seed % 250}.254`, size: 253 }],
    pf: null,
  }))
  const guestList = Array.from({ length: guests }, (_, g) => {
    const n = g % networks
    return {
      name: `guest-${seed}-${g}`,
      state: g % 7 === 0 ? 'shut off' : 'running',
      interfaces: [
        {
          type: 'network',
          source: `net-${n}`,
          mac: mac(seed * 1000 + g),
          tap: `vnet${g}`,
          addresses: [`10.${n}.${seed % 250}.${10 + Math.floor(g / networks)}`],
        },
      ],
    }
  })
  return {
    version: INVENTORY_VERSION,
    health: {
      checkedAt: new Date().toISOString(),
      reachable: true,
      latencyMs: 0.4,
      libvirtVersion: '9.0.0',
      libvirtFirewall: 'iptables',
      iptablesBackend: 'nf_tables',
      warnings: [],
    },
    nics: [
      { name: 'eth0', physical: true, master: 'br0', addresses: [] },
      { name: 'ens1f0', physical: true, master: null, addresses: [] },
    ],
    bridges: [
      { name: 'br0', members: ['eth0'], managedBy: null, networks: [], addresses: ['192.0.2.10/24'] },
      ...nets.map((n) => ({ name: n.bridge, members: [], managedBy: n.name, networks: [], addresses: [] })),
    ],
    networks: [
      ...nets,
      {
        name: 'pool-ens1f0',
        active: true,
        autostart: true,
        forwardMode: 'hostdev',
        bridge: null,
        ipv4: null,
        ranges: [],
        pf: 'ens1f0',
      },
    ],
    guests: guestList,
    leases: guestList.map((g) => ({
      network: g.interfaces[0]!.source,
      mac: g.interfaces[0]!.mac,
      ip: g.interfaces[0]!.addresses[0]!,
      hostname: g.name,
      expiry: '2026-12-01 00:00:00',
    })),
    mappings: guestList
      .filter((_, g) => g % 3 === 0)
      .map((g) => ({
        network: g.interfaces[0]!.source,
        mac: g.interfaces[0]!.mac,
        ip: g.interfaces[0]!.addresses[0]!,
        name: null,
      })),
    forwards: guestList
      .filter((_, g) => g % 5 === 0)
      .map((g, i) => ({
        id: `fwd-${seed}-${i}`,
        protocol: 'tcp',
        hostPortStart: 20000 + i,
        hostPortEnd: 20000 + i,
        hostAddress: null,
        guestName: g.name,
        guestIp: g.interfaces[0]!.addresses[0]!,
        guestPortStart: 22,
        guestPortEnd: 22,
        ownerId: null,
        ownerName: 'admin',
      })),
    pools: [{ name: 'pool-ens1f0', pf: 'ens1f0', active: true, vfs: 8, used: 0 }],
    pfs: [{ name: 'ens1f0', totalVfs: 64, numVfs: 8, used: 0 }],
  }
}
