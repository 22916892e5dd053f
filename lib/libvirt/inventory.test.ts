import { describe, expect, it } from 'vitest'
import { parseInventory } from '@/lib/libvirt/inventory'

const m = '@@virtnet-0123456789abcdef@@'
const net1 = '11111111-1111-4111-8111-111111111111'
const net2 = '22222222-2222-4222-8222-222222222222'
const dom1 = '33333333-3333-4333-8333-333333333333'

describe('parseInventory', () => {
  it('pairs each listed UUID with its part of the batch, in order, leases after each network when asked', () => {
    const stdout = [
      `net ${net1}`,
      `net ${net2}`,
      `dom ${dom1}`,
      `${m}`,
      ' Name  State  Autostart  Persistent\n-----\n a  active  yes  yes\n',
      `${m}`,
      `${dom1}\n`,
      `${m}`,
      '<network><name>a</name></network>',
      `${m}`,
      'leases of a',
      `${m}`,
      '',
      `${m}`,
      '',
      `${m}`,
      '<domain><name>g</name></domain>',
      `${m}\n`,
    ].join('\n')
    const inventory = parseInventory(stdout, m, true)
    expect(inventory.netList).toContain(' a  active')
    expect(inventory.running).toEqual([dom1])
    expect(inventory.networks).toEqual([
      { uuid: net1, xml: '<network><name>a</name></network>\n', leases: 'leases of a\n' },
      // gone between the listing and the batch: its parts are empty
      { uuid: net2, xml: '\n', leases: '\n' },
    ])
    expect(inventory.domains).toEqual([{ uuid: dom1, xml: '<domain><name>g</name></domain>\n' }])
  })

  it('takes nothing but UUIDs from the listing', () => {
    const stdout = [`net ${net1}`, `net x'; destroy`, `dom nope`, m, 'table', m, '', m, '<network/>', `${m}\n`].join(
      '\n',
    )
    const inventory = parseInventory(stdout, m, false)
    expect(inventory.networks).toEqual([{ uuid: net1, xml: '<network/>\n', leases: '' }])
    expect(inventory.domains).toEqual([])
  })
})
