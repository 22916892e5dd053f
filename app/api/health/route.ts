import { NextResponse } from 'next/server'

// Liveness: the process is up and answers requests. Signed out on purpose, and it says nothing else.
export function GET() {
  return NextResponse.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } })
}
