'use client'

import { useEffect, useRef, useState } from 'react'

type JobStepView = {
  position: number
  label: string
  status: string
  command: string | null
  exitCode: number | null
  output: string | null
}
export type JobView = {
  id: string
  title: string
  status: string
  error: string | null
  actorName: string
  createdAt: string
  finishedAt: string | null
  steps: JobStepView[]
}

const stepIcon: Record<string, string> = {
  pending: '○',
  running: '◐',
  done: '✓',
  failed: '✗',
  undone: '↺',
  skipped: '–',
}
const stepTone: Record<string, string> = {
  done: 'text-emerald-700 dark:text-emerald-300',
  failed: 'text-red-700 dark:text-red-300',
  running: 'text-sky-700 dark:text-sky-300',
  undone: 'text-amber-700 dark:text-amber-300',
}

/**
 * Follows a job while it runs, live over Server-Sent Events (/api/jobs/[jobId]/events: a snapshot per change, read
 * from the database), and keeps showing it afterwards.
 */
export function JobProgress({ initial, onFinished }: { initial: JobView; onFinished?: () => void }) {
  const [job, setJob] = useState(initial)
  const announced = useRef(false)
  const running = job.status === 'running'
  useEffect(() => {
    if (!running) return
    const source = new EventSource(`/api/jobs/${encodeURIComponent(job.id)}/events`)
    source.addEventListener('job', (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as JobView
      setJob(next)
      // The server ends the stream with the job; without this the browser would reconnect to it again and again.
      if (next.status !== 'running') source.close()
    })
    return () => source.close()
  }, [job.id, running])
  useEffect(() => {
    // Once per job, however often the parent re-renders.
    if (running || announced.current) return
    announced.current = true
    onFinished?.()
  }, [running, onFinished])
  return (
    <section className="card space-y-3" aria-live="polite" data-testid="job-progress">
      <h2 className="text-lg font-semibold">
        {job.title}{' '}
        <span
          className="badge bg-slate-100 dark:bg-slate-800 text-slate-700 dark:text-slate-300"
          data-testid="job-status"
        >
          {job.status}
        </span>
      </h2>
      {job.error && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {job.error}
        </p>
      )}
      <ol className="space-y-2">
        {job.steps.map((step) => (
          <li key={step.position} className="text-sm">
            <span
              className={`mr-2 font-mono ${stepTone[step.status] ?? 'text-slate-500 dark:text-slate-400'}`}
              aria-label={step.status}
            >
              {stepIcon[step.status] ?? '?'}
            </span>
            {step.label}
            {step.command && <code className="code ml-2 break-all">{step.command}</code>}
            {step.output && (
              <pre className="mt-1 ml-6 max-h-40 overflow-auto whitespace-pre-wrap rounded bg-slate-50 dark:bg-slate-800 p-2 text-xs">
                {step.output}
              </pre>
            )}
          </li>
        ))}
      </ol>
    </section>
  )
}
