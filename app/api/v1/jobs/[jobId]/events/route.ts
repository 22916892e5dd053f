import { apiRoute } from '@/lib/api/route'
import { problem } from '@/lib/api/problem'
import { getJob } from '@/lib/jobs/jobs'
import { jobEventStream } from '@/lib/jobs/events'

/** The job's progress as Server-Sent Events: `job` with each changed snapshot, then `end`. */
export const GET = apiRoute<{ jobId: string }>(async ({ params, request }) => {
  if (!(await getJob(params.jobId))) return problem('not-found', 'There is no such job.')
  return new Response(jobEventStream(params.jobId, { signal: request.signal }), {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  })
})
