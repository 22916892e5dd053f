import { notFound } from 'next/navigation'
import { authorizePage } from '@/lib/auth/authorize-page'
import { getHost } from '@/lib/hosts/store'

/**
 * The cheap checks of every host page, before its SSH read streams behind loading.tsx: refusal and a missing host
 * are answered here, outside the Suspense boundary, so they keep their 403 and 404 statuses.
 */
export default async function HostLayout({
  params,
  children,
}: {
  params: Promise<{ hostId: string }>
  children: React.ReactNode
}) {
  await authorizePage('viewHosts')
  const { hostId } = await params
  if (!(await getHost(hostId))) notFound()
  return children
}
