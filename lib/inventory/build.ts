import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { db } from '@/lib/db/client'
import { virshBatch } from '@/lib/libvirt/virsh'
import { parseNetDhcpLeases } from '@/lib/host-output/virsh-net-dhcp-leases'
import { canonicalMac } from '@/lib/addresses/mac-address'
import { checkHealth } from '@/lib/hosts/health'
import { listGuests } from '@/lib/guests/read'
import { sriovInventory, type SriovInventory } from '@/lib/sriov/inventory'
import { bridgesInventory } from '@/lib/bridges/inventory'
import { INVENTORY_VERSION, rangeSize, type InventoryDocument, type InventoryLease } from '@/lib/inventory/document'

/** net-dhcp-leases of one network; a network whose leases cannot be read (stopped, no DHCP) has none. */
function leasesOf(network: string, table: string): InventoryLease[] {
  if (!table.trim()) return []
  try {
    return parseNetDhcpLeases(table).map((lease) => ({
      network,
      mac: canonicalMac(lease.mac) ?? lease.mac,
      ip: lease.ip,
      hostname: lease.hostname,
      expiry: lease.expiryTime,
    }))
  } catch {
    return []
  }
}

/**
 * Reads the whole inventory of one host with the capability folders' own readers (bridges, SR-IOV, guests, health),
 * plus the leases of its running networks and Virtnet's forward table. An unreachable host gives a document with
 * only its health, so the fleet page can say so.
 */
export async function readInventory(hostId: string, target: HostTarget): Promise<InventoryDocument> {
  const health = await checkHealth(target)
  const forwardRows = await db.portForward.findMany({ where: { hostId }, orderBy: { hostPortStart: 'asc' } })
  const forwards = forwardRows.map((f) => ({
    id: f.id,
    protocol: f.protocol,
    hostPortStart: f.hostPortStart,
    hostPortEnd: f.hostPortEnd,
    hostAddress: f.hostAddress,
    guestName: f.guestName,
    guestIp: f.guestIp,
    guestPortStart: f.guestPortStart,
    guestPortEnd: f.guestPortEnd,
    ownerId: f.ownerId,
    ownerName: f.ownerName,
  }))
  const empty = { nics: [], bridges: [], networks: [], guests: [], leases: [], mappings: [], pools: [], pfs: [] }
  if (!health.reachable) return { version: INVENTORY_VERSION, health, ...empty, forwards }

  const [bridges, guests, sriov] = await Promise.all([
    bridgesInventory(target),
    listGuests(target),
    // A host without SR-IOV support (or sysfs we cannot read) simply has no VFs.
    sriovInventory(target).catch((): SriovInventory => ({ pfs: [], pools: [], claims: [], guests: [] })),
  ])
  const running = bridges.networks.filter((n) => n.active)
  const leaseTables = await virshBatch(
    target,
    running.map((n) => ['net-dhcp-leases', '--network', n.name]),
  )
  return {
    version: INVENTORY_VERSION,
    health,
    nics: bridges.nics
      .filter((nic) => nic.kind !== 'veth' || nic.physical)
      .map((nic) => ({ name: nic.name, physical: nic.physical, master: nic.master, addresses: nic.addresses })),
    bridges: bridges.bridges.map((b) => ({
      name: b.name,
      members: b.members,
      managedBy: b.managedBy,
      networks: b.networks,
      addresses: b.addresses,
    })),
    networks: bridges.networks.map((n) => ({
      name: n.name,
      active: n.active,
      autostart: n.autostart,
      forwardMode: n.forwardMode,
      bridge: n.bridge,
      ipv4: n.ipv4,
      ranges: (n.definition?.ips ?? []).flatMap((ip) =>
        (ip.dhcp?.ranges ?? []).map((r) => ({ start: r.start, end: r.end, size: rangeSize(r.start, r.end) })),
      ),
      pf: n.definition?.forward?.pf[0] ?? null,
    })),
    guests: guests.map((g) => ({
      name: g.name,
      state: g.state,
      interfaces: g.interfaces.map((nic) => ({
        type: nic.type,
        source: nic.source,
        mac: nic.mac,
        tap: nic.tap,
        addresses: nic.addresses,
      })),
    })),
    leases: running.flatMap((n, i) => leasesOf(n.name, leaseTables[i] ?? '')),
    mappings: bridges.networks.flatMap((n) =>
      (n.definition?.ips ?? []).flatMap((ip) =>
        (ip.dhcp?.hosts ?? []).map((h) => ({
          network: n.name,
          mac: h.mac ? (canonicalMac(h.mac) ?? h.mac) : null,
          ip: h.ip ?? null,
          name: h.name ?? null,
        })),
      ),
    ),
    forwards,
    pools: sriov.pools.map((pool) => ({
      name: pool.name,
      pf: pool.pf,
      active: pool.active,
      vfs: pool.vfAddresses.length || (sriov.pfs.find((pf) => pf.name === pool.pf)?.numVfs ?? 0),
      used: sriov.claims.filter((c) => c.how === 'pool' && c.network === pool.name).length,
    })),
    pfs: sriov.pfs.map((pf) => ({
      name: pf.name,
      totalVfs: pf.totalVfs,
      numVfs: pf.numVfs,
      used: pf.vfs.filter((vf) => vf.heldBy).length,
    })),
  }
}
