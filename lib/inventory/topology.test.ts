import { describe, expect, it } from 'vitest'
import { GAP, NODE_WIDTH, layoutTopology, topologyGraph, type PlacedNode } from '@/lib/inventory/topology'
import { syntheticInventory } from '@/lib/test/synthetic-inventory'

const overlap = (a: PlacedNode, b: PlacedNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

describe('host topology', () => {
  it('links NICs to bridges, bridges to networks, networks and PFs to pools and guests, with forwards on guests', () => {
    const doc = syntheticInventory({ networks: 2, guests: 5 })
    const graph = topologyGraph('h1', doc)
    const edges = graph.edges.map((e) => `${e.from}>${e.to}`)
    expect(edges).toEqual(
      expect.arrayContaining([
        'nic:eth0>bridge:br0',
        'bridge:virbr0>network:net-0',
        'nic:ens1f0>network:pool-ens1f0',
        'network:net-0>guest:guest-0-0',
        'network:net-1>guest:guest-0-1',
      ]),
    )
    const guest = graph.nodes.find((n) => n.id === 'guest:guest-0-0')!
    expect(guest.link).toBe('/hosts/h1/guests#guest-guest-0-0')
    expect(guest.lines).toContain('⇢ tcp :20000 → 22')
    expect(graph.nodes.find((n) => n.id === 'network:pool-ens1f0')?.link).toBe('/hosts/h1/sriov')
    expect(graph.nodes.find((n) => n.id === 'network:net-1')?.link).toBe('/hosts/h1/networks/net-1')
  })

  it('stays readable at 50 networks and 200 guests: one column per kind, left to right, no node over another', () => {
    const doc = syntheticInventory({ networks: 50, guests: 200 })
    const layout = layoutTopology(topologyGraph('h1', doc))
    expect(layout.nodes).toHaveLength(2 + 51 + 51 + 200)
    const columnOf = (kind: string) => layout.nodes.filter((n) => n.kind === kind).map((n) => n.x)
    // every NIC left of every bridge, left of every network, left of every guest
    expect(Math.max(...columnOf('nic'))).toBeLessThan(Math.min(...columnOf('bridge')))
    expect(Math.max(...columnOf('bridge'))).toBeLessThan(Math.min(...columnOf('network')))
    expect(Math.max(...columnOf('network'))).toBeLessThan(Math.min(...columnOf('guest')))
    const overlapping: string[] = []
    for (let i = 0; i < layout.nodes.length; i++)
      for (let j = i + 1; j < layout.nodes.length; j++)
        if (overlap(layout.nodes[i]!, layout.nodes[j]!))
          overlapping.push(`${layout.nodes[i]!.id} ${layout.nodes[j]!.id}`)
    expect(overlapping).toEqual([])
    // every edge is routed, from its source's right side to its target's left side
    for (const edge of layout.edges) {
      const from = layout.nodes.find((n) => n.id === edge.from)!
      const to = layout.nodes.find((n) => n.id === edge.to)!
      expect(edge.points[0]!.x).toBeCloseTo(from.x + from.width, 0)
      expect(edge.points.at(-1)!.x).toBeCloseTo(to.x, 0)
    }
    // guests sit beside their network: the mean distance from a network to its guests is a few rows, not the page
    const rows = layout.edges
      .filter((e) => e.from.startsWith('network:'))
      .map((e) => Math.abs(e.points[0]!.y - e.points.at(-1)!.y) / 40)
    expect(rows.reduce((a, b) => a + b, 0) / rows.length).toBeLessThan(3)
    expect(layout.width).toBe(4 * NODE_WIDTH + 3 * GAP + 24)
    // four columns fit a laptop screen beside the sidebar
    expect(layout.width).toBeLessThan(1000)
  })
})
