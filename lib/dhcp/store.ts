import 'server-only'
import { db } from '@/lib/db/client'
import { entryKey, type DhcpEntry } from '@/lib/dhcp/entries'

type Row = Awaited<ReturnType<typeof db.dhcpMapping.findMany>>[number]

export function rowToEntry(row: Row): DhcpEntry {
  return {
    family: row.family === 'ipv6' ? 'ipv6' : 'ipv4',
    ip: row.ip,
    ...(row.mac && { mac: row.mac }),
    ...(row.duid && { id: row.duid }),
    ...(row.name && { name: row.name }),
  }
}

export async function desiredEntries(hostId: string, network: string): Promise<DhcpEntry[]> {
  const rows = await db.dhcpMapping.findMany({ where: { hostId, network }, orderBy: { createdAt: 'asc' } })
  return rows.map(rowToEntry)
}

/** Makes the stored table equal `entries` for the given keys (upserts), and deletes `removedKeys`, in one transaction. */
export async function storeDesired(hostId: string, network: string, entries: DhcpEntry[], removedKeys: string[] = []) {
  await db.$transaction([
    db.dhcpMapping.deleteMany({ where: { hostId, network, key: { in: removedKeys } } }),
    ...entries.map((entry) => {
      const key = entryKey(entry)
      const data = {
        family: entry.family,
        mac: entry.mac ?? null,
        duid: entry.id ?? null,
        name: entry.name ?? null,
        ip: entry.ip,
      }
      return db.dhcpMapping.upsert({
        where: { hostId_network_key: { hostId, network, key } },
        create: { hostId, network, key, ...data },
        update: data,
      })
    }),
  ])
}
