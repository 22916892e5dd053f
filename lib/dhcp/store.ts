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

/**
 * Makes the stored table equal `entries` for the given keys, and deletes `removedKeys`, in one transaction. Rows that
 * already hold an entry keep their id and place (createdAt); only changed ones are written, and new ones in one
 * insert, so a bulk apply of hundreds of entries costs a few statements, not one upsert each.
 */
export async function storeDesired(hostId: string, network: string, entries: DhcpEntry[], removedKeys: string[] = []) {
  const wanted = new Map(
    entries.map((entry) => [
      entryKey(entry),
      { family: entry.family, mac: entry.mac ?? null, duid: entry.id ?? null, name: entry.name ?? null, ip: entry.ip },
    ]),
  )
  await db.$transaction(async (tx) => {
    if (removedKeys.length) await tx.dhcpMapping.deleteMany({ where: { hostId, network, key: { in: removedKeys } } })
    const stored = await tx.dhcpMapping.findMany({ where: { hostId, network, key: { in: [...wanted.keys()] } } })
    const storedByKey = new Map(stored.map((row) => [row.key, row]))
    for (const [key, data] of wanted) {
      const row = storedByKey.get(key)
      if (!row) continue
      const same = (Object.keys(data) as Array<keyof typeof data>).every((field) => row[field] === data[field])
      if (!same) await tx.dhcpMapping.update({ where: { id: row.id }, data })
    }
    const added = [...wanted].filter(([key]) => !storedByKey.has(key))
    // One millisecond apart, so the table keeps the order they came in (desiredEntries sorts by createdAt).
    const now = Date.now()
    if (added.length)
      await tx.dhcpMapping.createMany({
        data: added.map(([key, data], i) => ({ hostId, network, key, ...data, createdAt: new Date(now + i) })),
      })
  })
}
