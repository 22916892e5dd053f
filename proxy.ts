import { NextResponse, type NextRequest } from 'next/server'
import { hasMalformedEscape } from '@/lib/core/route-params'
import { contentSecurityPolicy, staticSecurityHeaders } from '@/lib/config/security-headers'

/**
 * Two things happen here, on every request. Every response gets the security headers (lib/config/security-headers):
 * a Content-Security-Policy with a fresh nonce — passed on in the request's own headers, where Next.js finds it and
 * puts it on the scripts it renders — and the others.
 *
 * A path with a malformed percent-escape (/hosts/%ZZ) makes Next's router fail before any page runs, and the
 * production server answers that with a bare 500, signed in or not. Such an address names nothing: API routes answer
 * 400 in JSON, pages get the app's own not-found page (a rewrite to a path no route matches renders app/not-found.tsx
 * with status 404). Nothing else is done here: authorization stays in every action and data function.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const policy = contentSecurityPolicy(nonce)
  const requestHeaders = new Headers(request.headers)
  requestHeaders.set('x-nonce', nonce)
  requestHeaders.set('Content-Security-Policy', policy)
  const response = answer(request, requestHeaders)
  response.headers.set('Content-Security-Policy', policy)
  for (const [name, value] of Object.entries(staticSecurityHeaders)) response.headers.set(name, value)
  return response
}

function answer(request: NextRequest, requestHeaders: Headers) {
  const { pathname } = request.nextUrl
  if (!hasMalformedEscape(pathname)) return NextResponse.next({ request: { headers: requestHeaders } })
  if (pathname.startsWith('/api/'))
    return NextResponse.json({ error: 'The address has a malformed percent-escape.' }, { status: 400 })
  return NextResponse.rewrite(new URL('/not-found', request.url), { request: { headers: requestHeaders } })
}

export const config = {
  // Every path, Next's own static files included: every response carries the security headers.
  matcher: ['/:path*'],
}
