import { NextResponse } from 'next/server'
import { jobListEvents, serverSentEvents, serverSentEventsHeaders } from '@/lib/jobs/events'
import { NotAuthorizedError } from '@/lib/core/errors'

/**
 * The jobs list's changes as Server-Sent Events, authorized by the session cookie (viewJobs): a `jobs` event now and
 * whenever a recent job starts or changes status, read from the database (any replica answers the same).
 */
export async function GET(request: Request) {
  try {
    const events = await jobListEvents({ signal: request.signal })
    return new Response(serverSentEvents(events), {
      headers: serverSentEventsHeaders,
    })
  } catch (error) {
    if (error instanceof NotAuthorizedError)
      return NextResponse.json({ error: error.message }, { status: error.user ? 403 : 401 })
    throw error
  }
}
