import { NextResponse } from 'next/server'
import { jobEvents, serverSentEvents, serverSentEventsHeaders } from '@/lib/jobs/events'
import { sessionRoute } from '@/lib/auth/session-route'

/**
 * A job's progress as Server-Sent Events, authorized by the session cookie (viewJobs): one `job` event per change,
 * read from the database, so it works behind any replica; the stream ends when the job does.
 */
export const GET = sessionRoute<{ jobId: string }>(async (request, { jobId }) => {
  const events = await jobEvents(jobId, { signal: request.signal })
  if (!events) return NextResponse.json({ error: 'No such job' }, { status: 404 })
  return new Response(serverSentEvents(events), { headers: serverSentEventsHeaders })
})
