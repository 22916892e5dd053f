'use client'

import { useEffect } from 'react'
import { useRouter } from 'next/navigation'

/** Keeps the jobs list current: the server says when a recent job starts or changes status, and the list re-renders. */
export function LiveJobs() {
  const router = useRouter()
  useEffect(() => {
    const source = new EventSource('/api/jobs/events')
    let first = true
    source.addEventListener('jobs', () => {
      // The first event is the list as it was rendered.
      if (!first) router.refresh()
      first = false
    })
    return () => source.close()
  }, [router])
  return null
}
