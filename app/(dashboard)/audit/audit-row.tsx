import type { ChainedFields } from '@/lib/audit/chain'

/** A stored record as the table shows it: the chained fields a reviewer reads, with its id and hash. */
type AuditEventRow = Pick<
  ChainedFields,
  'at' | 'actorName' | 'hostName' | 'action' | 'target' | 'params' | 'commands' | 'result' | 'error'
> & { id: number; hash: string }

type CommandEntry = {
  command: string
  exitCode: number | null
  stdout?: string
  stderr?: string
  durationMs?: number
  error?: string
}

const resultClass: Record<string, string> = {
  success: 'bg-emerald-50 dark:bg-emerald-950 text-emerald-800 dark:text-emerald-300',
  failure: 'bg-red-50 dark:bg-red-950 text-red-800 dark:text-red-300',
  refused: 'bg-amber-50 dark:bg-amber-950 text-amber-800 dark:text-amber-300',
}

export function AuditRow({ event }: { event: AuditEventRow }) {
  const commands = JSON.parse(event.commands) as CommandEntry[]
  return (
    <tr data-testid="audit-row">
      <td className="text-slate-500 dark:text-slate-400">{event.id}</td>
      <td className="whitespace-nowrap">{event.at.toISOString().replace('T', ' ').slice(0, 19)}</td>
      <td>{event.actorName}</td>
      <td>{event.hostName ?? '—'}</td>
      <td className="font-mono text-xs">{event.action}</td>
      <td className="max-w-48 break-words">{event.target ?? '—'}</td>
      <td>
        <span className={`badge ${resultClass[event.result] ?? ''}`}>{event.result}</span>
      </td>
      <td className="min-w-64">
        {event.error && <p className="text-red-800 dark:text-red-300">{event.error}</p>}
        <details>
          <summary className="cursor-pointer text-xs text-slate-600 dark:text-slate-300">
            parameters{commands.length ? `, ${commands.length} host command${commands.length === 1 ? '' : 's'}` : ''}
          </summary>
          <pre className="mt-1 max-w-xl overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-50 dark:bg-slate-800 p-2 text-xs">
            {JSON.stringify(JSON.parse(event.params), null, 2)}
          </pre>
          {commands.map((entry, index) => (
            <div key={index} className="mt-1 rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">
              <p className="break-all">
                $ {entry.command}{' '}
                <span className={entry.exitCode === 0 ? 'text-emerald-400' : 'text-red-400'}>
                  → {entry.exitCode ?? entry.error}
                </span>
              </p>
              {entry.stderr && <p className="whitespace-pre-wrap break-all text-red-300">{entry.stderr}</p>}
            </div>
          ))}
          <p className="mt-1 break-all font-mono text-[10px] text-slate-500 dark:text-slate-400">sha256 {event.hash}</p>
        </details>
      </td>
    </tr>
  )
}
