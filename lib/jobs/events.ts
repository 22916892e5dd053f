import 'server-only'
import { getJob } from '@/lib/jobs/jobs'

/*
 * A job's progress as Server-Sent Events. The job row is the truth and is read from the database on every poll, not
 * taken from the process that runs the job, so any replica can serve the stream. Each read goes through getJob, which
 * authorizes the viewer: the API (lib/api) and a cookie-authenticated dashboard route can both serve this generator.
 */

export const jobEventPollMs = 500

export type JobSnapshot = NonNullable<Awaited<ReturnType<typeof getJob>>>

const finished = (status: string) => status !== 'running'

/**
 * The job as it changes: one snapshot first, one more whenever it changed, until it has finished (or the reader went
 * away). Yields nothing when there is no such job.
 */
export async function* jobSnapshots(
  jobId: string,
  { pollMs = jobEventPollMs, signal }: { pollMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<JobSnapshot> {
  let last = ''
  while (!signal?.aborted) {
    const job = await getJob(jobId)
    if (!job) return
    const text = JSON.stringify(job)
    if (text !== last) {
      last = text
      yield job
    }
    if (finished(job.status)) return
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

/** One SSE message: an event name and its JSON data (one data line: JSON has no raw new lines). */
export function sseMessage(event: string, data: unknown, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/**
 * The whole stream for a response body: `job` events with each changed snapshot, then `end` with the final status.
 */
export function jobEventStream(jobId: string, options: { pollMs?: number; signal?: AbortSignal } = {}) {
  const encoder = new TextEncoder()
  const stop = new AbortController()
  options.signal?.addEventListener('abort', () => stop.abort())
  let count = 0
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      try {
        let status: string | null = null
        for await (const job of jobSnapshots(jobId, { pollMs: options.pollMs, signal: stop.signal })) {
          controller.enqueue(encoder.encode(sseMessage('job', job, String(++count))))
          status = job.status
        }
        controller.enqueue(encoder.encode(sseMessage('end', { status })))
      } catch (error) {
        controller.enqueue(
          encoder.encode(sseMessage('error', { message: error instanceof Error ? error.message : String(error) })),
        )
      }
      if (!stop.signal.aborted) controller.close()
    },
    cancel() {
      stop.abort()
    },
  })
}
