import type { Metadata } from 'next'
import { hostInventoryData } from '@/lib/inventory/read'
import { GAP, LINE_HEIGHT, NODE_WIDTH, layoutTopology, topologyGraph, type PlacedNode } from '@/lib/inventory/topology'
import { HostPageLayout, loadHostPage } from '../host-page'
import { SnapshotBar } from '../snapshot-bar'

export const metadata: Metadata = { title: 'Topology' }

const style = {
  nic: { fill: '#f1f5f9', stroke: '#475569', title: 'Physical NICs' },
  bridge: { fill: '#ecfeff', stroke: '#0e7490', title: 'Bridges' },
  network: { fill: '#eff6ff', stroke: '#1d4ed8', title: 'Networks' },
  guest: { fill: '#f0fdf4', stroke: '#15803d', title: 'Guests' },
} as const

/** Text cut to what fits a node (about 6.2 px per character at 11 px). */
const fit = (text: string, width: number) => {
  const max = Math.floor((width - 16) / 6.2)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function Node({ node }: { node: PlacedNode }) {
  const look = style[node.kind]
  const lines = node.lines.slice(0, 6)
  return (
    <a href={node.link} aria-label={`${node.kind} ${node.label}`} data-testid={`topology-${node.kind}`}>
      <title>{[node.label, ...node.lines].join('\n')}</title>
      <rect
        x={node.x}
        y={node.y}
        width={node.width}
        height={node.height}
        rx={6}
        fill={look.fill}
        stroke={look.stroke}
        strokeWidth={1.2}
        strokeDasharray={node.active ? undefined : '4 3'}
        opacity={node.active ? 1 : 0.7}
      />
      <text x={node.x + 8} y={node.y + 17} fontSize={12} fontWeight={600} fill="#0f172a">
        {fit(node.label, node.width)}
      </text>
      {lines.map((line, i) => (
        <text
          key={`${i}-${line}`}
          x={node.x + 8}
          y={node.y + 17 + (i + 1) * LINE_HEIGHT}
          fontSize={11}
          fill="#334155"
          fontFamily="ui-monospace, monospace"
        >
          {fit(line, node.width)}
        </text>
      ))}
    </a>
  )
}

export default async function TopologyPage({ params }: { params: Promise<{ hostId: string }> }) {
  const { data } = await loadHostPage(params, hostInventoryData)
  const { host, doc } = data
  const layout = doc ? layoutTopology(topologyGraph(host.id, doc)) : null
  return (
    <HostPageLayout host={host} current="topology">
      <SnapshotBar inventory={data} />
      {!doc && (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          No inventory of this host yet: it is read in the background.
        </p>
      )}
      {layout && (
        <section className="card overflow-auto p-0" aria-label="Topology">
          <svg
            width={layout.width}
            height={layout.height + 24}
            viewBox={`0 -24 ${layout.width} ${layout.height + 24}`}
            role="group"
            aria-label={`Topology of ${host.name}`}
            data-testid="topology"
          >
            {(['nic', 'bridge', 'network', 'guest'] as const).map((kind, index) => (
              <text
                key={kind}
                x={12 + index * (NODE_WIDTH + GAP)}
                y={-8}
                fontSize={12}
                fontWeight={600}
                className="fill-slate-600 dark:fill-slate-300"
              >
                {style[kind].title}
              </text>
            ))}
            <g fill="none" strokeWidth={1} className="stroke-slate-400 dark:stroke-slate-500">
              {layout.edges.map((edge) => (
                <polyline key={edge.id} points={edge.points.map((p) => `${p.x},${p.y}`).join(' ')} />
              ))}
            </g>
            {layout.nodes.map((node) => (
              <Node key={node.id} node={node} />
            ))}
          </svg>
        </section>
      )}
    </HostPageLayout>
  )
}
