import { NextResponse, type NextRequest } from 'next/server'
import { hasMalformedEscape } from '@/lib/core/route-params'

/**
 * A path with a malformed percent-escape (/hosts/%ZZ) makes Next's router fail before any page runs, and the
 * production server answers that with a bare 500, signed in or not. Such an address names nothing: API routes answer
 * 400 in JSON, pages get the app's own not-found page (a rewrite to a path no route matches renders app/not-found.tsx
 * with status 404). Nothing else is done here: authorization stays in every action and data function.
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl
  if (!hasMalformedEscape(pathname)) return NextResponse.next()
  if (pathname.startsWith('/api/'))
    return NextResponse.json({ error: 'The address has a malformed percent-escape.' }, { status: 400 })
  return NextResponse.rewrite(new URL('/not-found', request.url))
}

export const config = {
  // Every path but Next's own static files and images.
  matcher: ['/((?!_next/static|_next/image).*)'],
}
