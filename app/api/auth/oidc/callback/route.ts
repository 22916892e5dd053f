import { NextResponse, type NextRequest } from 'next/server'
import { finishSso } from '@/lib/users/sso'

/**
 * The provider's redirect back. Signed in, to the dashboard (or to the code form when a second factor is asked);
 * refused, to the sign-in page, which says why in words (the details are in the audit log).
 */
export async function GET(request: NextRequest) {
  const result = await finishSso(request.nextUrl.search)
  const to = result.outcome === 'signed-in' ? (result.pendingFactor ? '/login' : '/') : `/login?sso=${result.reason}`
  // Relative to the address the browser used (the registered callback's origin), not the server's own.
  return new NextResponse(null, { status: 303, headers: { Location: to } })
}
