import type { HostHealth } from '@/lib/hosts/health-types'

export function healthSummary(
  health: HostHealth | null,
  pinned: boolean,
): { tone: 'ok' | 'warn' | 'bad' | 'unknown'; text: string } {
  if (!pinned) return { tone: 'warn', text: 'Host key not confirmed' }
  if (!health) return { tone: 'unknown', text: 'Not checked yet' }
  if (!health.reachable) return { tone: 'bad', text: health.error ?? 'Unreachable' }
  if (health.warnings.length) return { tone: 'warn', text: health.warnings.join(' ') }
  return { tone: 'ok', text: 'Healthy' }
}

const toneClass = { ok: 'bg-emerald-500', warn: 'bg-amber-400', bad: 'bg-red-500', unknown: 'bg-slate-400' }

export function HealthDot({ health, pinned }: { health: HostHealth | null; pinned: boolean }) {
  const summary = healthSummary(health, pinned)
  return (
    <span title={summary.text} className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${toneClass[summary.tone]}`}>
      <span className="sr-only">{summary.text}</span>
    </span>
  )
}
