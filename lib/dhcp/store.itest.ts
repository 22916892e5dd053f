import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomUUID } from 'node:crypto'
import { db } from '@/lib/db/client'
import type { DhcpEntry } from '@/lib/dhcp/entries'
import { desiredEntries, storeDesired } from '@/lib/dhcp/store'

// The stored desired table: storeDesired writes only what changed (one insert for the new entries), and the table
// keeps each row's identity and place, as the one-upsert-per-entry version did.

const entry = (i: number, name = `h${i}`): DhcpEntry => ({
  family: 'ipv4',
  mac: `52:54:00:5e:00:${i.toString(16).padStart(2, '0')}`,
  ip: `10.9.0.${i + 10}`,
  name,
})

let hostId: string
const network = 'vnperf-store'

beforeAll(async () => {
  hostId = (await db.host.create({ data: { name: `vnperf-store-${randomUUID()}`, address: '127.0.0.1', port: 1 } })).id
})
afterAll(async () => {
  await db.host.delete({ where: { id: hostId } })
})

describe('storeDesired', () => {
  it('keeps unchanged rows as they were, updates changed ones in place, adds new ones in order and deletes removed keys', async () => {
    await storeDesired(hostId, network, [entry(1), entry(2), entry(3)])
    const before = await db.dhcpMapping.findMany({ where: { hostId, network }, orderBy: { createdAt: 'asc' } })
    expect(before.map((r) => r.name)).toEqual(['h1', 'h2', 'h3'])

    // h1 unchanged, h2 renamed, h3 removed, 40 new ones.
    const added = Array.from({ length: 40 }, (_, i) => entry(20 + i))
    await storeDesired(hostId, network, [entry(1), entry(2, 'renamed'), ...added], ['mac:' + entry(3).mac])

    const after = await db.dhcpMapping.findMany({ where: { hostId, network }, orderBy: { createdAt: 'asc' } })
    const byName = new Map(after.map((r) => [r.name, r]))
    expect(byName.get('h1')).toEqual(before[0])
    expect(byName.get('renamed')?.id).toBe(before[1]!.id)
    expect(byName.get('renamed')?.createdAt).toEqual(before[1]!.createdAt)
    expect(byName.has('h3')).toBe(false)
    expect((await desiredEntries(hostId, network)).map((e) => e.name)).toEqual([
      'h1',
      'renamed',
      ...added.map((e) => e.name),
    ])
    expect(await desiredEntries(hostId, network)).toEqual([entry(1), entry(2, 'renamed'), ...added])
  })
})
