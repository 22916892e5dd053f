import 'server-only'
import type { InventoryDocument } from '@/lib/inventory/document'

/*
 * A host's topology as a layered graph, left to right: physical NICs → bridges → networks (NAT, bridge, hostdev
 * pools) → guests with their interfaces and forwards, one column per kind; the page draws it as server-rendered SVG
 * and each node links to the page it lives on.
 */

export type TopologyKind = 'nic' | 'bridge' | 'network' | 'guest'
export type TopologyNode = {
  id: string
  kind: TopologyKind
  label: string
  /** smaller lines under the label: addresses, mode, interfaces, forwards */
  lines: string[]
  link: string
  /** a running guest, an active network; false draws it faded */
  active: boolean
}
export type TopologyEdge = { id: string; from: string; to: string }
export type TopologyGraph = { nodes: TopologyNode[]; edges: TopologyEdge[] }

export type PlacedNode = TopologyNode & { x: number; y: number; width: number; height: number }
export type PlacedEdge = TopologyEdge & { points: Array<{ x: number; y: number }> }
export type TopologyLayout = { nodes: PlacedNode[]; edges: PlacedEdge[]; width: number; height: number }

const column: Record<TopologyKind, number> = { nic: 0, bridge: 1, network: 2, guest: 3 }
export const NODE_WIDTH = 180
export const LINE_HEIGHT = 14
const MAX_LINES = 6

export const nodeHeight = (node: TopologyNode) => 26 + Math.min(node.lines.length, MAX_LINES) * LINE_HEIGHT

const ports = (start: number, end: number) => (start === end ? `${start}` : `${start}-${end}`)

/** The nodes and edges of one host's inventory (no positions yet). */
export function topologyGraph(hostId: string, doc: InventoryDocument): TopologyGraph {
  const base = `/hosts/${hostId}`
  const nodes = new Map<string, TopologyNode>()
  const edges = new Map<string, TopologyEdge>()
  const add = (node: TopologyNode) => nodes.set(node.id, node)
  const connect = (from: string, to: string) => {
    if (nodes.has(from) && nodes.has(to) && from !== to) edges.set(`${from}>${to}`, { id: `${from}>${to}`, from, to })
  }

  for (const nic of doc.nics.filter((n) => n.physical))
    add({
      id: `nic:${nic.name}`,
      kind: 'nic',
      label: nic.name,
      lines: nic.addresses,
      link: `${base}/bridges`,
      active: true,
    })
  for (const bridge of doc.bridges)
    add({
      id: `bridge:${bridge.name}`,
      kind: 'bridge',
      label: bridge.name,
      lines: [bridge.managedBy ? `created by ${bridge.managedBy}` : 'host bridge', ...bridge.addresses],
      link: `${base}/bridges`,
      active: true,
    })
  for (const network of doc.networks) {
    const range = network.ranges.reduce((sum, r) => sum + r.size, 0)
    const leases = doc.leases.filter((l) => l.network === network.name).length
    add({
      id: `network:${network.name}`,
      kind: 'network',
      label: network.name,
      lines: [
        network.forwardMode === 'hostdev'
          ? `hostdev pool${network.pf ? ` of ${network.pf}` : ''}`
          : network.forwardMode,
        ...(network.ipv4 ? [network.ipv4.subnet] : []),
        ...(range ? [`DHCP ${leases}/${range} leased`] : []),
      ],
      link:
        network.forwardMode === 'hostdev' ? `${base}/sriov` : `${base}/networks/${encodeURIComponent(network.name)}`,
      active: network.active,
    })
  }
  for (const guest of doc.guests) {
    const forwards = doc.forwards.filter((f) => f.guestName === guest.name)
    add({
      id: `guest:${guest.name}`,
      kind: 'guest',
      label: guest.name,
      lines: [
        ...guest.interfaces.map((nic) => [nic.mac ?? nic.type, ...nic.addresses].join(' ')),
        ...forwards.map(
          (f) =>
            `⇢ ${f.protocol} :${ports(f.hostPortStart, f.hostPortEnd)} → ${ports(f.guestPortStart, f.guestPortEnd)}`,
        ),
      ],
      link: `${base}/guests#guest-${encodeURIComponent(guest.name)}`,
      active: guest.state === 'running',
    })
  }

  for (const nic of doc.nics) if (nic.master) connect(`nic:${nic.name}`, `bridge:${nic.master}`)
  for (const network of doc.networks) {
    if (network.bridge) connect(`bridge:${network.bridge}`, `network:${network.name}`)
    if (network.pf) connect(`nic:${network.pf}`, `network:${network.name}`)
  }
  for (const guest of doc.guests)
    for (const nic of guest.interfaces) {
      if (!nic.source) continue
      const to = `guest:${guest.name}`
      if (nic.type === 'network') connect(`network:${nic.source}`, to)
      else if (nic.type === 'bridge') connect(`bridge:${nic.source}`, to)
      else if (nic.type === 'direct') connect(`nic:${nic.source}`, to)
    }
  return { nodes: [...nodes.values()], edges: [...edges.values()] }
}

export const GAP = 60
const SPACING = 10
const PADDING = 12

/**
 * Places the graph in four columns (NICs, bridges, networks, guests) and routes every edge with right angles. Each
 * column is ordered after the one to its right (a network by the first of its guests, a bridge by its first network,
 * a NIC by its first bridge), and each node sits at the middle of what it feeds unless that would overlap the node
 * above it: the drawing reads left to right with few crossings, and no node ever covers another. This runs in
 * milliseconds at 50 networks and 200 guests, where a general layered layout (ELK) took seconds per page view.
 */
export function layoutTopology(graph: TopologyGraph): TopologyLayout {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]))
  const targets = new Map<string, string[]>()
  const sources = new Map<string, string[]>()
  for (const edge of graph.edges) {
    targets.set(edge.from, [...(targets.get(edge.from) ?? []), edge.to])
    sources.set(edge.to, [...(sources.get(edge.to) ?? []), edge.from])
  }
  const columns: TopologyNode[][] = [[], [], [], []]
  for (const node of graph.nodes) columns[column[node.kind]]!.push(node)

  // Order: networks by name; guests by their first network; then leftwards, each node after what it feeds.
  const rank = new Map<string, number>()
  const setRanks = (nodes: TopologyNode[]) => nodes.forEach((node, index) => rank.set(node.id, index))
  const byName = (a: TopologyNode, b: TopologyNode) => a.label.localeCompare(b.label, 'en', { numeric: true })
  columns[2]!.sort(byName)
  setRanks(columns[2]!)
  const firstOf = (ids: string[] | undefined) => Math.min(...(ids ?? []).map((id) => rank.get(id) ?? Infinity))
  const orderBy = (nodes: TopologyNode[], key: (node: TopologyNode) => number) =>
    nodes.sort((a, b) => key(a) - key(b) || byName(a, b))
  orderBy(columns[3]!, (guest) => firstOf(sources.get(guest.id)))
  setRanks(columns[3]!)
  // A bridge or NIC is ordered by the first thing it feeds, counted across the columns to its right.
  const offsets = [0, 0, 0, 0]
  offsets[3] = columns[2]!.length
  const reach = (id: string) =>
    Math.min(...(targets.get(id) ?? []).map((to) => (rank.get(to) ?? Infinity) + offsets[column[byId.get(to)!.kind]]!))
  orderBy(columns[1]!, (bridge) => reach(bridge.id))
  setRanks(columns[1]!)
  orderBy(columns[0]!, (nic) => reach(nic.id))

  // Vertical placement: the guest column stacks; each column to its left centres on what it feeds.
  const placed = new Map<string, PlacedNode>()
  const place = (index: number) => {
    let bottom = PADDING
    for (const node of columns[index]!) {
      const height = nodeHeight(node)
      const fed = (targets.get(node.id) ?? []).map((id) => placed.get(id)).filter((n): n is PlacedNode => Boolean(n))
      const centre = fed.length ? fed.reduce((sum, n) => sum + n.y + n.height / 2, 0) / fed.length : bottom
      const y = Math.max(bottom, centre - height / 2)
      placed.set(node.id, { ...node, x: PADDING + index * (NODE_WIDTH + GAP), y, width: NODE_WIDTH, height })
      bottom = y + height + SPACING
    }
  }
  for (const index of [3, 2, 1, 0]) place(index)

  // Edges: out of the source's right side, down or up in the gap before the target's column, into its left side.
  // Sources of one gap get lanes of their own, so two networks' buses do not run on one line.
  const lanes = new Map<string, number>()
  const edges = graph.edges.map((edge): PlacedEdge => {
    const from = placed.get(edge.from)!
    const to = placed.get(edge.to)!
    const lane = lanes.get(edge.from) ?? lanes.set(edge.from, lanes.size).get(edge.from)!
    const turnX = to.x - GAP + 8 + (lane % 8) * ((GAP - 16) / 8)
    const y1 = from.y + from.height / 2
    const y2 = to.y + to.height / 2
    return {
      ...edge,
      points: [
        { x: from.x + from.width, y: y1 },
        { x: turnX, y: y1 },
        { x: turnX, y: y2 },
        { x: to.x, y: y2 },
      ],
    }
  })
  const nodes = graph.nodes.map((node) => placed.get(node.id)!)
  return {
    nodes,
    edges,
    width: PADDING * 2 + 4 * NODE_WIDTH + 3 * GAP,
    height: Math.max(0, ...nodes.map((n) => n.y + n.height)) + PADDING,
  }
}
