'use client'

import { PageError } from '@/app/ui/page-error'

/** A page outside the dashboard (the log-in page) that throws. */
export default function RootError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main className="p-6">
      <PageError error={error} retry={retry} />
    </main>
  )
}
