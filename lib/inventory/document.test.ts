import { describe, expect, it } from 'vitest'
import { parseDocument, rangeSize, searchEntries, INVENTORY_VERSION } from '@/lib/inventory/document'
import { syntheticInventory } from '@/lib/test/synthetic-inventory'

describe('inventory document', () => {
  it('counts the addresses of a DHCP range, both ends included', () => {
    expect(rangeSize('192.168.122.2', '192.168.122.254')).toBe(253)
    expect(rangeSize('fd00::10', 'fd00::1f')).toBe(16)
    expect(rangeSize('10.0.0.9', '10.0.0.1')).toBe(0)
    expect(rangeSize('10.0.0.1', 'fd00::1')).toBe(0)
  })

  it('treats a document of another version as missing, so it is read again', () => {
    const doc = syntheticInventory({ networks: 1, guests: 1 })
    expect(parseDocument(INVENTORY_VERSION, JSON.stringify(doc))?.guests).toHaveLength(1)
    expect(parseDocument(INVENTORY_VERSION - 1, JSON.stringify(doc))).toBeNull()
    expect(parseDocument(INVENTORY_VERSION, '{broken')).toBeNull()
  })

  it('indexes a lease by its address and MAC (lower-case), naming the guest and linking to the DHCP page', () => {
    const doc = syntheticInventory({ networks: 2, guests: 3 })
    const guest = doc.guests[1]!
    const mac = guest.interfaces[0]!.mac!
    const ip = guest.interfaces[0]!.addresses[0]!
    doc.leases[1]!.mac = mac.toUpperCase()
    const entries = searchEntries('h1', 'lab-a', doc)
    const leases = entries.filter((e) => e.kind === 'lease' && (e.value === ip || e.value === mac))
    expect(leases).toHaveLength(2)
    for (const lease of leases)
      expect(lease).toMatchObject({ link: '/hosts/h1/networks/net-1/dhcp', guest: guest.name })
    expect(leases[0]!.label).toContain(`${ip} ↔`)
    expect(leases[0]!.label).toContain('on lab-a')
    // the same MAC is also found as the guest's interface, and the forward on guest 0 by its host port
    expect(entries.find((e) => e.kind === 'interface' && e.value === mac)?.link).toBe(
      `/hosts/h1/guests#guest-${guest.name}`,
    )
    expect(entries.find((e) => e.kind === 'forward' && e.value === '20000')).toMatchObject({
      guest: doc.guests[0]!.name,
      link: '/hosts/h1/forwards',
    })
  })
})
