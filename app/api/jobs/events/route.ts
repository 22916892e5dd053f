import { jobListEvents, serverSentEvents, serverSentEventsHeaders } from '@/lib/jobs/events'
import { sessionRoute } from '@/lib/auth/session-route'

/**
 * The jobs list's changes as Server-Sent Events, authorized by the session cookie (viewJobs): a `jobs` event now and
 * whenever a recent job starts or changes status, read from the database (any replica answers the same).
 */
export const GET = sessionRoute(async (request) => {
  const events = await jobListEvents({ signal: request.signal })
  return new Response(serverSentEvents(events), { headers: serverSentEventsHeaders })
})
