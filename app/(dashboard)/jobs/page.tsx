import type { Metadata } from 'next'
import Link from 'next/link'
import { authorizePage } from '@/lib/auth/authorize-page'
import { listRecentJobs } from '@/lib/jobs/jobs'

export const metadata: Metadata = { title: 'Jobs' }

export default async function JobsPage() {
  await authorizePage('viewJobs')
  const jobs = await listRecentJobs()
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Jobs</h1>
      <section className="card overflow-x-auto p-0">
        <table className="table">
          <thead>
            <tr>
              <th>Started (UTC)</th>
              <th>Job</th>
              <th>Host</th>
              <th>By</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {jobs.length === 0 && (
              <tr>
                <td colSpan={5} className="py-6 text-center text-slate-500">
                  No jobs yet. Multi-step host operations (restoring a network, later bulk imports) run as jobs.
                </td>
              </tr>
            )}
            {jobs.map((job) => (
              <tr key={job.id}>
                <td className="whitespace-nowrap">{job.createdAt.toISOString().replace('T', ' ').slice(0, 19)}</td>
                <td>
                  <Link className="text-sky-800 hover:underline" href={`/jobs/${job.id}`}>
                    {job.title}
                  </Link>
                </td>
                <td>{job.host?.name ?? '—'}</td>
                <td>{job.actorName}</td>
                <td>{job.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  )
}
