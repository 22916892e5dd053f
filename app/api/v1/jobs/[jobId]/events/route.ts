import { apiRoute } from '@/lib/api/route'
import { problem } from '@/lib/api/problem'
import { jobEvents, serverSentEvents, serverSentEventsHeaders } from '@/lib/jobs/events'

/** The job's progress as Server-Sent Events (the dashboard's own stream): `job` with each changed snapshot. */
export const GET = apiRoute<{ jobId: string }>(async ({ params, request }) => {
  const events = await jobEvents(params.jobId, { signal: request.signal })
  if (!events) return problem('not-found', 'There is no such job.')
  return new Response(serverSentEvents(events), { headers: serverSentEventsHeaders })
})
