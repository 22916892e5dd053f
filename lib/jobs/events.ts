import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'

/** How often a stream re-reads the job row. The row, not this process's memory, is the truth: any replica serves it. */
export const jobEventsPollMs = 500

/** A job as its page shows it (the saved plan stays on the server, as in getJob). */
const readJob = (jobId: string) =>
  db.job.findUnique({
    where: { id: jobId },
    omit: { plan: true, planSeal: true },
    include: { steps: { orderBy: { position: 'asc' } }, host: { select: { name: true } } },
  })

export type JobSnapshot = NonNullable<Awaited<ReturnType<typeof readJob>>>

/** One message of the stream: the job's snapshot after a change; the last one has a final status. */
export type JobEvent = { event: 'job'; data: JobSnapshot }

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })

/**
 * The job's events, or null when there is no such job. Authorizes now (viewJobs), while the request is at hand: the
 * events are read later, as the browser takes them. Each is a snapshot, sent each time the job's row or its steps
 * change, read from the database every `pollMs` until the job ends or `signal` aborts (the browser left).
 */
export async function jobEvents(
  jobId: string,
  { pollMs = jobEventsPollMs, signal }: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<AsyncGenerator<JobEvent> | null> {
  await authorize('viewJobs')
  const first = await readJob(jobId)
  if (!first) return null
  return (async function* () {
    let job: JobSnapshot | null = first
    let last = ''
    while (job && !signal?.aborted) {
      const text = JSON.stringify(job)
      if (text !== last) {
        last = text
        yield { event: 'job' as const, data: job }
      }
      if (job.status !== 'running') return
      await sleep(pollMs, signal)
      job = await readJob(jobId)
    }
  })()
}

/** The headers of every event stream: nginx and other proxies would otherwise hold the events back until the end. */
export const serverSentEventsHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
}

/** The text/event-stream framing: `event:` and one `data:` line of JSON, a blank line after each. */
export function serverSentEvents(events: AsyncIterator<{ event: string; data: unknown }>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    async pull(controller) {
      const next = await events.next()
      if (next.done) return controller.close()
      controller.enqueue(encoder.encode(`event: ${next.value.event}\ndata: ${JSON.stringify(next.value.data)}\n\n`))
    },
    async cancel() {
      await events.return?.(undefined)
    },
  })
}

/** What the jobs list shows of each recent job: enough to tell that the list changed. */
const readRecentJobs = () =>
  db.job.findMany({
    orderBy: { createdAt: 'desc' },
    take: 20,
    select: { id: true, status: true, finishedAt: true },
  })

/**
 * The jobs list's events: one `jobs` event now and one each time a recent job starts or changes status, read from the
 * database every `pollMs` until `signal` aborts. Authorizes now (viewJobs), while the request is at hand.
 */
export async function jobListEvents(
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<AsyncGenerator<{ event: 'jobs'; data: { version: string } }>> {
  const { pollMs = jobEventsPollMs * 2, signal } = options
  await authorize('viewJobs')
  return (async function* () {
    let last = ''
    while (!signal?.aborted) {
      const version = JSON.stringify(await readRecentJobs())
      if (version !== last) {
        last = version
        yield { event: 'jobs' as const, data: { version } }
      }
      await sleep(pollMs, signal)
    }
  })()
}
