import 'server-only'
import { db } from '@/lib/db/client'
import { recordAudit, type AuditInput } from '@/lib/audit/record'

/*
 * Refusals of signed-out requests cost the sender nothing, and every audit record stays for good (the log cannot be
 * trimmed). So per client and minute only the first refusal gets its own record; the others are counted in
 * AuditRefusalWindow, and once the minute is over one summary record per client says how many there were.
 *
 * The count is kept in the database, one SQL statement per step, so dashboard processes sharing the database agree:
 * the upsert that counts a refusal is also the check that decides whether it gets a record, and the update that
 * marks windows summarized returns each window to exactly one caller.
 *
 * A client changing its address every request would get a record per address: past `maxClientsPerMinute` clients in
 * one minute, the rest share the one bucket `(more clients)`.
 */

export const refusalWindowMs = 60_000
export const maxClientsPerMinute = 200
export const moreClients = '(more clients)'
export const refusalSummaryAction = 'audit.unrecorded-refusals'

const minuteOf = (at: Date) => Math.floor(at.getTime() / refusalWindowMs)
const timeOf = (minute: number) => new Date(minute * refusalWindowMs)

/** Counts one refusal of `client`; true when it is the first of the client's minute (it gets its own record). */
export async function admitRefusal(client: string, at = new Date()): Promise<{ bucket: string; ownRecord: boolean }> {
  const minute = minuteOf(at)
  const [row] = await db.$queryRaw<Array<{ client: string; refused: number | bigint }>>`
    INSERT INTO "AuditRefusalWindow" ("client", "minute", "refused")
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM "AuditRefusalWindow" WHERE "client" = ${client} AND "minute" = ${minute}) THEN ${client}
        WHEN (SELECT COUNT(*) FROM "AuditRefusalWindow" WHERE "minute" = ${minute}) >= ${maxClientsPerMinute} THEN ${moreClients}
        ELSE ${client}
      END, ${minute}, 1
    WHERE true
    ON CONFLICT ("client", "minute") DO UPDATE SET "refused" = "AuditRefusalWindow"."refused" + 1
    RETURNING "client", "refused"`
  return { bucket: row!.client, ownRecord: Number(row!.refused) === 1 }
}

/**
 * One summary record per client for the refusals of minutes before `now` that got no record of their own. Called
 * with every signed-out refusal and before the audit page shows the log, so a flood's last minute is not left out.
 */
export async function summarizeUnrecordedRefusals(now = new Date()): Promise<number> {
  const minute = minuteOf(now)
  const windows = await db.$queryRaw<Array<{ client: string; minute: number | bigint; refused: number | bigint }>>`
    UPDATE "AuditRefusalWindow" SET "summarized" = true
    WHERE "summarized" = false AND "refused" > 1 AND "minute" < ${minute}
    RETURNING "client", "minute", "refused"`
  const byClient = new Map<string, { from: number; to: number; unrecorded: number }>()
  for (const window of windows) {
    const at = Number(window.minute)
    const seen = byClient.get(window.client) ?? { from: at, to: at, unrecorded: 0 }
    byClient.set(window.client, {
      from: Math.min(seen.from, at),
      to: Math.max(seen.to, at),
      unrecorded: seen.unrecorded + Number(window.refused) - 1,
    })
  }
  for (const [client, { from, to, unrecorded }] of [...byClient].sort(([a], [b]) => a.localeCompare(b))) {
    const between = `${timeOf(from).toISOString()} and ${timeOf(to + 1).toISOString()}`
    await recordAudit({
      actor: { id: null, username: '(anonymous)' },
      action: refusalSummaryAction,
      target: client,
      params: { client, unrecorded, from: timeOf(from).toISOString(), to: timeOf(to + 1).toISOString() },
      result: 'refused',
      error: `${unrecorded} more refused request${unrecorded === 1 ? '' : 's'} without a session from ${client} between ${between}, counted but not recorded one by one (one record per client and minute).`,
    })
  }
  // Finished minutes are no longer needed: their first refusals have records, the rest are in summaries.
  await db.$executeRaw`DELETE FROM "AuditRefusalWindow" WHERE "minute" < ${minute} AND ("summarized" = true OR "refused" = 1)`
  return byClient.size
}

/** Audits a refusal of a signed-out request from `client`, unless that client already got its record this minute. */
export async function recordSignedOutRefusal(client: string, input: AuditInput): Promise<number | null> {
  const { ownRecord } = await admitRefusal(client)
  await summarizeUnrecordedRefusals()
  return ownRecord ? recordAudit(input) : null
}
