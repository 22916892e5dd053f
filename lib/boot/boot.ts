import 'server-only'
import { validateEnv } from '@/lib/config/env'
import { ensureFirstAdmin } from '@/lib/users/first-admin'
import { takeOverStaleJobs, watchForStaleJobs } from '@/lib/jobs/takeover'
import { heartbeatMs } from '@/lib/jobs/replica'
import { requireConnectableHost } from '@/lib/hosts/store'
import { dashboardIdentity } from '@/lib/ssh/identity'
import { log } from '@/lib/telemetry/log'
import { installRequestOrigin } from '@/lib/boot/request-origin'
import { secureDataDir } from '@/lib/config/data-dir'
import { startInventoryRefresher } from '@/lib/inventory/refresh'

const targetOf = async (hostId: string) => (await requireConnectableHost(hostId)).target

/**
 * Jobs the last shutdown of this replica cut short (and those of a replica that died): marked interrupted at once;
 * their hosts are re-read and their final audit records written in the background (`rechecked`), so an unreachable
 * host does not hold up the start.
 */
export function recoverJobs() {
  return takeOverStaleJobs(targetOf, { ownPredecessors: true })
}

/** Runs once when the server starts (instrumentation.ts). */
export async function boot() {
  validateEnv()
  installRequestOrigin()
  // Everything the dashboard writes on this machine (database, keys, the first admin's password) is its own alone.
  process.umask(0o077)
  secureDataDir()
  dashboardIdentity()
  await ensureFirstAdmin()
  // Keeps every host's inventory snapshot fresh in the background: on an interval and after every change.
  startInventoryRefresher()
  const { marked, rechecked } = await recoverJobs()
  // From now on, the jobs of any replica sharing the database that stops are taken over (lib/jobs/takeover.ts).
  watchForStaleJobs(targetOf, heartbeatMs)
  if (!marked) return
  log.info({ jobs: marked }, 'marked jobs cut short by the last shutdown as interrupted; re-reading their hosts')
  rechecked.then(
    (reports) =>
      reports.forEach((report) =>
        log.info({ jobId: report.jobId, title: report.title, summary: report.summary }, 'interrupted job re-read'),
      ),
    (error) => log.error({ err: error }, 're-reading the hosts of interrupted jobs failed'),
  )
}
