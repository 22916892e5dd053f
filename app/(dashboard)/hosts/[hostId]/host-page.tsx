import { notFound } from 'next/navigation'
import { authorizePage } from '@/lib/auth/authorize-page'
import { Notice } from '@/app/ui/form-status'
import { HostHeader } from './host-tabs'

type HostParams = Promise<{ hostId: string }>

/** A host tab's start: the viewer may see hosts, and the host exists (else 404). */
export async function loadHostPage<T>(params: HostParams, load: (hostId: string) => Promise<T | null>) {
  const user = await authorizePage('viewHosts')
  const { hostId } = await params
  const data = await load(hostId)
  if (!data) notFound()
  return { user, data }
}

/** A host tab: the host header with its tabs, the error reaching the host (if any), then the tab's content. */
export function HostPageLayout({
  host,
  current,
  error,
  children,
}: React.ComponentProps<typeof HostHeader> & { error?: string | null; children: React.ReactNode }) {
  return (
    <div className="space-y-6">
      <HostHeader host={host} current={current} />
      {error && <Notice tone="error">{error}</Notice>}
      {children}
    </div>
  )
}
