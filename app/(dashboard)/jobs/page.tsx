import type { Metadata } from 'next'
import Link from 'next/link'
import { authorizePage } from '@/lib/auth/authorize-page'
import { listRecentJobs } from '@/lib/jobs/jobs'
import { DataTable } from '@/app/ui/data-table'
import { LiveJobs } from './live-jobs'

export const metadata: Metadata = { title: 'Jobs' }

export default async function JobsPage() {
  await authorizePage('viewJobs')
  const jobs = await listRecentJobs()
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Jobs</h1>
      <LiveJobs />
      <DataTable
        columns={['Started (UTC)', 'Job', 'Host', 'By', 'Status']}
        empty={
          jobs.length === 0 &&
          'No jobs yet. Multi-step host operations (restoring a network, later bulk imports) run as jobs.'
        }
      >
        {jobs.map((job) => (
          <tr key={job.id}>
            <td className="whitespace-nowrap">{job.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
            <td>
              <Link className="text-sky-800 dark:text-sky-300 hover:underline" href={`/jobs/${job.id}`}>
                {job.title}
              </Link>
            </td>
            <td>{job.host?.name ?? '—'}</td>
            <td>{job.actorName}</td>
            <td>{job.status}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  )
}
