import 'server-only'
import { NextResponse } from 'next/server'
import { NotAuthorizedError } from '@/lib/core/errors'

/**
 * A route the dashboard's own pages call with the session cookie (the jobs' live streams, the palette's search, the
 * audit export). The data functions it calls authorize themselves; this turns their refusal into the answer a
 * browser's fetch expects: 401 when nobody is signed in, 403 when the user may not, the reason as `error`.
 */
export function sessionRoute<Params extends Record<string, string> = Record<string, never>>(
  handler: (request: Request, params: Params) => Promise<Response>,
) {
  // Next.js passes the context; a route without segments (and a test calling it) may leave it out.
  return async (request: Request, context?: { params: Promise<Params> }): Promise<Response> => {
    try {
      return await handler(request, ((await context?.params) ?? {}) as Params)
    } catch (error) {
      if (error instanceof NotAuthorizedError)
        return NextResponse.json({ error: error.message }, { status: error.user ? 403 : 401 })
      throw error
    }
  }
}
