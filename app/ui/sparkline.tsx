/**
 * A server-rendered line of values over time (null: no answer, drawn as a red tick), for SSH round trips. One answered
 * read makes no line yet: it is drawn as a dot on a dashed level, said in words, so a newly added host shows its first
 * round trip instead of an empty box (its value is beside the sparkline).
 */
export function Sparkline({
  points,
  width = 120,
  height = 28,
  label,
}: {
  points: Array<{ at: number; ms: number | null }>
  width?: number
  height?: number
  label: string
}) {
  if (points.length === 0)
    return (
      <span className="text-xs text-slate-500 dark:text-slate-400" aria-label={label}>
        no samples
      </span>
    )
  const answered = points.filter((p) => p.ms !== null) as Array<{ at: number; ms: number }>
  const max = Math.max(...answered.map((p) => p.ms), 0.001)
  const first = points[0]!.at
  const span = Math.max(points[points.length - 1]!.at - first, 1)
  const x = (at: number) => (points.length === 1 ? width / 2 : ((at - first) / span) * (width - 2) + 1)
  const y = (ms: number) => height - 2 - (ms / max) * (height - 4)
  const line = answered.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.ms).toFixed(1)}`).join(' ')
  const single = answered.length === 1 ? answered[0]! : null
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
      className="text-sky-600 dark:text-sky-400"
    >
      <title>{label}</title>
      {single ? (
        <g data-testid="sparkline-single">
          <line
            x1={1}
            x2={width - 1}
            y1={height / 2}
            y2={height / 2}
            stroke="currentColor"
            strokeOpacity={0.4}
            strokeDasharray="3 3"
          />
          <circle cx={4} cy={height / 2} r={3} fill="currentColor" />
          <text x={10} y={height / 2 - 3} fontSize={9} fill="currentColor">
            {`1 read: ${single.ms.toFixed(1)} ms`}
          </text>
        </g>
      ) : (
        <>
          <path d={line} fill="none" stroke="currentColor" strokeWidth={1.5} />
          {/* the newest answered read as a dot */}
          {answered.slice(-1).map((p) => (
            <circle key={p.at} cx={x(p.at)} cy={y(p.ms)} r={2} fill="currentColor" />
          ))}
        </>
      )}
      {points
        .filter((p) => p.ms === null)
        .map((p) => (
          <line key={p.at} x1={x(p.at)} x2={x(p.at)} y1={2} y2={height - 2} stroke="#dc2626" strokeWidth={1.5} />
        ))}
    </svg>
  )
}

/** A horizontal bar of parts of a whole (used / size), with its numbers beside it. */
export function UsageBar({
  parts,
  total,
  label,
  width = 160,
}: {
  parts: Array<{ value: number; color: string; name: string }>
  total: number
  label: string
  width?: number
}) {
  const scale = total > 0 ? width / total : 0
  const rects: Array<{ name: string; x: number; width: number; color: string }> = []
  let offset = 0
  for (const part of parts) {
    const w = Math.max(Math.min(part.value * scale, width - offset), 0)
    rects.push({ name: part.name, x: offset, width: w, color: part.color })
    offset += w
  }
  return (
    <svg width={width} height={12} viewBox={`0 0 ${width} 12`} role="img" aria-label={label}>
      <title>{label}</title>
      <rect x={0} y={0} width={width} height={12} rx={2} className="fill-slate-200 dark:fill-slate-700" />
      {rects.map((rect) => (
        <rect key={rect.name} x={rect.x} y={0} width={rect.width} height={12} fill={rect.color} />
      ))}
    </svg>
  )
}
