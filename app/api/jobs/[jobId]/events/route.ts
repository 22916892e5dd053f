import { NextResponse } from 'next/server'
import { jobEvents, serverSentEvents, serverSentEventsHeaders } from '@/lib/jobs/events'
import { NotAuthorizedError } from '@/lib/core/errors'

/**
 * A job's progress as Server-Sent Events, authorized by the session cookie (viewJobs): one `job` event per change,
 * read from the database, so it works behind any replica; the stream ends when the job does.
 */
export async function GET(request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await params
  try {
    const events = await jobEvents(jobId, { signal: request.signal })
    if (!events) return NextResponse.json({ error: 'No such job' }, { status: 404 })
    return new Response(serverSentEvents(events), {
      headers: serverSentEventsHeaders,
    })
  } catch (error) {
    if (error instanceof NotAuthorizedError)
      return NextResponse.json({ error: error.message }, { status: error.user ? 403 : 401 })
    throw error
  }
}
