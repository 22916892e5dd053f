import 'server-only'
import { db } from '@/lib/db/client'
import { databaseProvider } from '@/lib/db/url'
import { Prisma } from '@/lib/db/generated/client'
import { OperatorError } from '@/lib/core/errors'
import type { HostTarget } from '@/lib/ssh'
import { recordAudit } from '@/lib/audit/record'
import { keepJobsAlive, markInterruptedJobs } from '@/lib/jobs/jobs'
import { nameOfReplica, replicaId, replicaName, staleAfterMs } from '@/lib/jobs/replica'
import { recheckInterruptedJobs, startRecovery, type RecheckReport } from '@/lib/jobs/recovery'

/*
 * Jobs that outlive the replica running them. Every running job names its replica (Job.ownerId) and carries a
 * heartbeat that replica renews (lib/jobs/jobs.ts). A job whose heartbeat is older than staleAfterMs lost its
 * replica: another claims it, in one statement no other replica can also win (PostgreSQL: a row lock with
 * FOR UPDATE SKIP LOCKED; SQLite: a conditional update on the owner and heartbeat it saw), marks it interrupted,
 * re-reads its host and writes its final audit record (lib/jobs/recovery.ts), then undoes its finished steps
 * through the one executor: the host ends as it was before the job, never half-way, and the audit says who did what.
 *
 * A replica restarting under the same name (VIRTNET_REPLICA_NAME, or host name and port) knows its predecessor
 * process is gone: at boot it takes back that one's jobs at once, without waiting for their heartbeat to go stale,
 * and leaves the choice between undo and resume to an operator, as a restart always did.
 */

type Claimed = { id: string; previousOwner: string | null }

const restartCause = 'The dashboard restarted while this job ran'
const takeoverCause = (previousOwner: string) =>
  `Replica ${nameOfReplica(previousOwner)} stopped answering while this job ran (no heartbeat for ${staleAfterMs / 1000} s); replica ${replicaName} took it over`

const likePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** Claims the running jobs whose replica is gone; each is claimed by exactly one replica. */
export async function claimStaleJobs({ ownPredecessors }: { ownPredecessors: boolean }): Promise<Claimed[]> {
  const now = new Date()
  const stale = new Date(now.getTime() - staleAfterMs)
  // At boot, this replica's earlier processes are gone whatever their heartbeat says.
  const predecessors = ownPredecessors
    ? Prisma.sql`OR ("ownerId" LIKE ${`${likePattern(replicaName)}#%`} AND "ownerId" <> ${replicaId})`
    : Prisma.empty
  if (databaseProvider() === 'postgresql')
    return db.$queryRaw<Claimed[]>`
      WITH gone AS (
        SELECT "id", "ownerId" FROM "Job"
        WHERE "status" = 'running' AND ("heartbeatAt" IS NULL OR "heartbeatAt" < ${stale} ${predecessors})
        FOR UPDATE SKIP LOCKED)
      UPDATE "Job" SET "ownerId" = ${replicaId}, "heartbeatAt" = ${now} FROM gone WHERE "Job"."id" = gone."id"
      RETURNING "Job"."id" AS "id", gone."ownerId" AS "previousOwner"`
  const candidates = await db.job.findMany({
    where: {
      status: 'running',
      OR: [
        { heartbeatAt: null },
        { heartbeatAt: { lt: stale } },
        ...(ownPredecessors ? [{ ownerId: { startsWith: `${replicaName}#`, not: replicaId } }] : []),
      ],
    },
    select: { id: true, ownerId: true, heartbeatAt: true },
  })
  const claimed: Claimed[] = []
  for (const job of candidates) {
    // Only if nobody claimed or renewed it since it was read: the owner and heartbeat seen are the condition.
    const { count } = await db.job.updateMany({
      where: { id: job.id, status: 'running', ownerId: job.ownerId, heartbeatAt: job.heartbeatAt },
      data: { ownerId: replicaId, heartbeatAt: now },
    })
    if (count === 1) claimed.push({ id: job.id, previousOwner: job.ownerId })
  }
  return claimed
}

const isRestart = (job: Claimed) => !job.previousOwner || nameOfReplica(job.previousOwner) === replicaName

/**
 * Claims the jobs whose replica is gone and marks them interrupted; `rechecked` settles once their hosts are re-read
 * and, for jobs taken over from another replica, their finished steps undone.
 */
export async function takeOverStaleJobs(
  targetOf: (hostId: string) => Promise<HostTarget>,
  { ownPredecessors = false } = {},
): Promise<{ marked: number; rechecked: Promise<RecheckReport[]> }> {
  const claimed = await claimStaleJobs({ ownPredecessors })
  let marked = await markInterruptedJobs(
    claimed.filter(isRestart).map((job) => job.id),
    `${restartCause}; check the host before retrying.`,
  )
  const takenOver = claimed.filter((job) => !isRestart(job))
  for (const job of takenOver)
    marked += await markInterruptedJobs(
      [job.id],
      `${takeoverCause(job.previousOwner!)}; check the host before retrying.`,
    )
  if (claimed.length) keepJobsAlive()
  const rechecked = recheckInterruptedJobs(targetOf, { ownPredecessors }).then(async (reports) => {
    for (const job of takenOver) {
      const report = reports.find((candidate) => candidate.jobId === job.id)
      if (report) await undoTakenOver(job, report, targetOf)
    }
    return reports
  })
  return { marked, rechecked }
}

/** After the re-read: the finished steps of a job taken over are undone, and the audit says so. */
async function undoTakenOver(job: Claimed, report: RecheckReport, targetOf: (hostId: string) => Promise<HostTarget>) {
  const row = await db.job.findUnique({ where: { id: job.id }, include: { host: true } })
  const actor = { id: null, username: `replica ${replicaName}` }
  let outcome: { undoJobId: string | null; note: string; result: 'success' | 'failure' }
  try {
    if (!row?.host) throw new OperatorError('The job names no host.')
    const target = await targetOf(row.host.id)
    const started = await startRecovery('undo', job.id, { id: row.host.id, name: row.host.name }, target, actor)
    await started.done
    const undo = await db.job.findUnique({ where: { id: started.jobId }, select: { status: true } })
    outcome = {
      undoJobId: started.jobId,
      note: `Undo ran as job ${started.jobId}: ${undo?.status}.`,
      result: undo?.status === 'succeeded' ? 'success' : 'failure',
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // "No step of this job finished": the host is as it was before the job, nothing to take back.
    const nothing = /nothing to undo/.test(message)
    outcome = { undoJobId: null, note: message, result: nothing ? 'success' : 'failure' }
  }
  await recordAudit({
    actor,
    host: row?.host ? { id: row.host.id, name: row.host.name } : null,
    action: 'job.takeover',
    target: report.title,
    params: {
      jobId: job.id,
      from: job.previousOwner,
      by: replicaId,
      hostReachable: report.reachable,
      undoJobId: outcome.undoJobId,
    },
    result: outcome.result,
    error: outcome.result === 'success' ? null : outcome.note,
  })
  await db.job.update({
    where: { id: job.id },
    data: { error: `${report.summary} Taken over by replica ${replicaName}: ${outcome.note}` },
  })
}

/**
 * Every replica looks for jobs whose replica died, every heartbeat; SKIP LOCKED (or the conditional update) lets
 * exactly one of them take each. Started once at boot.
 */
let watching: NodeJS.Timeout | null = null
export function watchForStaleJobs(targetOf: (hostId: string) => Promise<HostTarget>, everyMs: number) {
  if (watching) return
  let busy = false
  watching = setInterval(() => {
    if (busy) return
    busy = true
    takeOverStaleJobs(targetOf)
      .then(({ rechecked }) => rechecked)
      .catch((error) => console.error('Taking over the jobs of a stopped replica failed:', error))
      .finally(() => (busy = false))
  }, everyMs)
  watching.unref()
}
