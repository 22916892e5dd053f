import 'server-only'
import { validateEnv } from '@/lib/config/env'
import { ensureFirstAdmin } from '@/lib/users/first-admin'
import { markInterruptedJobs } from '@/lib/jobs/jobs'
import { dashboardIdentity } from '@/lib/ssh/identity'

/** Runs once when the server starts (instrumentation.ts). */
export async function boot() {
  validateEnv()
  dashboardIdentity()
  await ensureFirstAdmin()
  const interrupted = await markInterruptedJobs()
  if (interrupted) console.log(`Marked ${interrupted} job(s) cut short by the last shutdown as interrupted.`)
}
