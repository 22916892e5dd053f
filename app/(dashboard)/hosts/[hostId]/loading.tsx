import { PageLoading } from '@/app/ui/page-loading'

/** A host's pages read the host over SSH, which can take a moment: say so while they do. */
export default function HostLoading() {
  return <PageLoading what="Reading the host over SSH…" />
}
