import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/json'
import { problem } from '@/lib/api/problem'
import { getJob } from '@/lib/jobs/jobs'

export const GET = apiRoute<{ jobId: string }>(async ({ params }) => {
  const job = await getJob(params.jobId)
  return job ? json(job) : problem('not-found', 'There is no such job.')
})
