import type { Metadata } from 'next'
import { Breadcrumbs } from '@/app/ui/breadcrumbs'
import { notFound } from 'next/navigation'
import { authorizePage } from '@/lib/auth/authorize-page'
import { getJob } from '@/lib/jobs/jobs'
import { getJobRecovery } from '@/lib/jobs/recovery'
import { JobProgress, type JobView } from '@/app/ui/job-progress'
import { RecoveryForms } from './recovery-forms'

export const metadata: Metadata = { title: 'Job' }

export default async function JobPage({ params }: { params: Promise<{ jobId: string }> }) {
  await authorizePage('viewJobs')
  const { jobId } = await params
  const job = await getJob(jobId)
  if (!job) notFound()
  const recovery = await getJobRecovery(jobId)
  return (
    <div className="space-y-4">
      <Breadcrumbs
        trail={[
          { label: 'Jobs', href: '/jobs' },
          { label: `${job.host?.name ?? 'dashboard'} · started by ${job.actorName}` },
        ]}
      />
      <JobProgress initial={JSON.parse(JSON.stringify(job)) as JobView} />
      {recovery && (
        <section className="card space-y-3" aria-label="After the restart">
          <h2 className="text-lg font-semibold">After the restart</h2>
          <RecoveryForms jobId={job.id} recovery={recovery} />
        </section>
      )}
    </div>
  )
}
