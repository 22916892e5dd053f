import { NextResponse } from 'next/server'
import { databaseReadiness } from '@/lib/db/readiness'
import { log } from '@/lib/telemetry/log'

export const dynamic = 'force-dynamic'

// Readiness: the database answers and its migrations are the ones this build ships. Signed out on purpose (a load
// balancer asks it); the answer is ready or not, the reason only goes to the server's log.
export async function GET() {
  const readiness = await databaseReadiness()
  const headers = { 'cache-control': 'no-store' }
  if (readiness.ready) return NextResponse.json({ status: 'ready' }, { headers })
  log.warn({ problem: readiness.problem }, 'not ready')
  return NextResponse.json({ status: 'not ready' }, { status: 503, headers })
}
