import { Age } from '@/app/ui/age'
import { ActionButton } from '@/app/ui/action-button'
import { AutoRefresh } from '@/app/ui/auto-refresh'
import { Notice } from '@/app/ui/form-status'
import { refreshInventoryAction } from '../../fleet/actions'

/** What a snapshot page says about its snapshot: how old it is, why the last read failed, and a Refresh button. */
export function SnapshotBar({
  inventory: { host, refreshedAt, ageSeconds, reading, error },
}: {
  /** The page's inventory read (lib/inventory): its host, the snapshot's age, whether a read is under way, the last error. */
  inventory: {
    host: { id: string; pinned: boolean }
    refreshedAt: Date | null
    ageSeconds: number | null
    reading: boolean
    error: string | null
  }
}) {
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-300">
      <AutoRefresh seconds={reading ? 3 : 15} />
      <span>
        From the host&apos;s inventory snapshot, <Age at={refreshedAt} seconds={ageSeconds} reading={reading} />.
      </span>
      {host.pinned && (
        <ActionButton
          action={refreshInventoryAction}
          fields={{ hostId: host.id }}
          label="Refresh"
          pendingLabel="Reading…"
        />
      )}
      {error && <Notice tone="error">Last refresh failed: {error}</Notice>}
    </div>
  )
}
