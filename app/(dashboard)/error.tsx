'use client'

import { PageError } from '@/app/ui/page-error'

/** Any page of the dashboard that throws: the reason in words and a retry, inside the sidebar's layout. */
export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  return <PageError error={error} retry={retry} />
}
