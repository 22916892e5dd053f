'use client'

import { useEffect } from 'react'
import { useRouter } from 'next/navigation'

/** Re-renders the page from the server every few seconds while it is visible: snapshot pages stay current. */
export function AutoRefresh({ seconds = 15 }: { seconds?: number }) {
  const router = useRouter()
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh()
    }, seconds * 1000)
    return () => clearInterval(timer)
  }, [router, seconds])
  return null
}
