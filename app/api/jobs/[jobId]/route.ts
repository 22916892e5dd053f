import { NextResponse } from 'next/server'
import { getJob } from '@/lib/jobs/jobs'
import { sessionRoute } from '@/lib/auth/session-route'

export const GET = sessionRoute<{ jobId: string }>(async (_request, { jobId }) => {
  const job = await getJob(jobId)
  if (!job) return NextResponse.json({ error: 'No such job' }, { status: 404 })
  return NextResponse.json(job, { headers: { 'cache-control': 'no-store' } })
})
