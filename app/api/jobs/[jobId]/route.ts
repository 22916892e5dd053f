import { NextResponse } from 'next/server'
import { getJob } from '@/lib/jobs/jobs'
import { NotAuthorizedError } from '@/lib/core/errors'

export async function GET(_request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  const { jobId } = await params
  try {
    const job = await getJob(jobId)
    if (!job) return NextResponse.json({ error: 'No such job' }, { status: 404 })
    return NextResponse.json(job, { headers: { 'cache-control': 'no-store' } })
  } catch (error) {
    if (error instanceof NotAuthorizedError)
      return NextResponse.json({ error: error.message }, { status: error.user ? 403 : 401 })
    throw error
  }
}
