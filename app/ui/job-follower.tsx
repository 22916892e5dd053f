'use client'

import { useEffect, useState } from 'react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { JobProgress, type JobView } from '@/app/ui/job-progress'

/** Loads a just-started job and follows it; refreshes the page's data once it ends. */
export function JobFollower({ jobId }: { jobId: string }) {
  const [job, setJob] = useState<JobView | null>(null)
  const router = useRouter()
  useEffect(() => {
    let cancelled = false
    fetch(`/api/jobs/${jobId}`, { cache: 'no-store' })
      .then((response) => response.json())
      .then((data: JobView) => !cancelled && setJob(data))
    return () => {
      cancelled = true
    }
  }, [jobId])
  if (!job) return <p className="text-sm text-slate-600 dark:text-slate-300">Starting job…</p>
  return (
    <div className="space-y-2">
      <JobProgress initial={job} onFinished={() => router.refresh()} />
      <Link href={`/jobs/${jobId}`} className="text-sm text-sky-800 dark:text-sky-300 hover:underline">
        Open the job page
      </Link>
    </div>
  )
}
