import { describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { databaseProvider } from '@/lib/db/url'
import { recordAudit } from '@/lib/audit/record'
import { verifyAuditChain } from '@/lib/audit/verify'
import { chainHash, type ChainedFields } from '@/lib/audit/chain'
import { auditKeyPath } from '@/lib/config/paths'
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'
import { currentSealKey } from '@/lib/audit/seal'
import { verifyExport, type ExportedRecord } from '@/lib/audit/verify-export'
import { openRawSql, type RawSql } from '@/lib/test/raw-sql'

const actor = { id: null, username: 'itest' }

// The same checks on SQLite and PostgreSQL (scripts/test-all.sh runs this file on both): the append-only triggers,
// the chain and its seals, whoever tampers with the rows behind the dashboard's back.
async function withRawSql<T>(work: (sql: RawSql) => Promise<T>): Promise<T> {
  const sql = await openRawSql()
  try {
    return await work(sql)
  } finally {
    await sql.close()
  }
}

describe(`the audit log (${databaseProvider()})`, () => {
  it('keeps one unbroken chain under 40 concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordAudit({ actor, action: 'itest.concurrent', target: `t${i}`, result: 'success' }),
      ),
    )
    const status = await verifyAuditChain()
    expect(status.ok).toBe(true)
    expect(status.checked).toBeGreaterThanOrEqual(40)
  })

  it('refuses updates and deletes of audit rows at the database level', async () => {
    // A row of its own: the triggers fire per row, and in a shuffled run this may be the database's first test.
    await recordAudit({ actor, action: 'itest.append-only', result: 'failure' })
    await withRawSql(async (sql) => {
      await expect(sql.run(`UPDATE "AuditEvent" SET "result" = 'success'`)).rejects.toThrow(/append-only/)
      await expect(sql.run('DELETE FROM "AuditEvent"')).rejects.toThrow(/append-only/)
    })
  })

  it('detects a record edited behind the triggers', async () => {
    const id = await recordAudit({ actor, action: 'itest.tamper', result: 'failure', error: 'original' })
    // An attacker with write access could switch the trigger off; the hash chain still gives them away.
    await withRawSql((sql) =>
      sql.withoutTrigger('AuditEvent', 'AuditEvent_no_update', async () => {
        await sql.run(`UPDATE "AuditEvent" SET "result" = 'success', "error" = NULL WHERE "id" = ?`, id)
        const status = await verifyAuditChain()
        expect(status).toMatchObject({ ok: false, broken: { id, reason: expect.stringContaining('edited') } })
        await sql.run(`UPDATE "AuditEvent" SET "result" = 'failure', "error" = 'original' WHERE "id" = ?`, id)
        expect((await verifyAuditChain()).ok).toBe(true)
      }),
    )
    expect(await db.auditEvent.count({ where: { action: 'itest.tamper' } })).toBe(1)
  })

  it('seals every record with a key outside the database, so a rewritten chain is caught', async () => {
    const id = await recordAudit({ actor, action: 'itest.rewrite', result: 'failure', error: 'original' })
    expect(fs.statSync(auditKeyPath).mode & 0o777).toBe(0o600)
    const before = await verifyAuditChain()
    expect(before).toMatchObject({ ok: true, keyFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) })
    expect(before.sealed).toBe(before.checked)

    type Row = ChainedFields & { id: number; hash: string; at: number | string | Date }
    await withRawSql(async (sql) => {
      const original = await sql.all<Row>('SELECT * FROM "AuditEvent" WHERE "id" >= ? ORDER BY "id"', id)
      // What someone with write access to the database can do: edit a record and recompute every hash after it.
      const rewrite = async (edit: (row: Row) => Partial<Row>) => {
        let prevHash = original[0]!.prevHash
        for (const row of original) {
          const fields = { ...row, ...(row.id === id ? edit(row) : {}), prevHash, at: new Date(row.at) }
          const hash = chainHash(fields)
          await sql.run(
            'UPDATE "AuditEvent" SET "result" = ?, "error" = ?, "prevHash" = ?, "hash" = ? WHERE "id" = ?',
            fields.result,
            fields.error,
            `tmp-${row.id}`,
            `tmp-${row.id}`,
            row.id,
          )
          await sql.run('UPDATE "AuditEvent" SET "prevHash" = ?, "hash" = ? WHERE "id" = ?', prevHash, hash, row.id)
          prevHash = hash
        }
      }
      await sql.withoutTrigger('AuditEvent', 'AuditEvent_no_update', async () => {
        try {
          await rewrite(() => ({ result: 'success', error: null }))
          expect(await verifyAuditChain()).toMatchObject({
            ok: false,
            broken: { id, reason: expect.stringContaining('without the audit key') },
          })
        } finally {
          await rewrite((row) => ({ result: row.result, error: row.error }))
        }
      })
    })
    expect((await verifyAuditChain()).ok).toBe(true)
  })

  it('lets a reviewer check a filtered export with the key alone, and the CLI verify the whole database', async () => {
    await recordAudit({
      actor,
      action: 'itest.export',
      target: 'a',
      result: 'success',
      params: { n: 1, nested: { ok: true } },
    })
    await recordAudit({ actor, action: 'itest.export', target: 'b', result: 'refused', error: 'no' })
    const rows = await db.auditEvent.findMany({ where: { action: 'itest.export' }, orderBy: { id: 'asc' } })
    // The shape the JSON export writes: params and commands parsed, dates as ISO strings.
    const exported = JSON.parse(
      JSON.stringify(rows.map((r) => ({ ...r, params: JSON.parse(r.params), commands: JSON.parse(r.commands) }))),
    ) as ExportedRecord[]
    const key = currentSealKey()!.key
    expect(verifyExport(exported, key)).toEqual({ checked: 2, sealed: 2, problems: [] })

    const edited = exported.map((r, i) => (i === 1 ? { ...r, result: 'success', error: null } : r))
    expect(verifyExport(edited, key).problems).toEqual([{ id: rows[1]!.id, reason: expect.stringContaining('edited') }])
    const forged = edited.map((r, i) =>
      i === 1
        ? {
            ...r,
            hash: chainHash({
              ...r,
              at: new Date(r.at),
              params: JSON.stringify(r.params),
              commands: JSON.stringify(r.commands),
            }),
          }
        : r,
    )
    expect(verifyExport(forged, key).problems).toContainEqual({
      id: rows[1]!.id,
      reason: expect.stringContaining('seal does not match'),
    })

    const cli = execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/audit-verify.ts'], {
      encoding: 'utf8',
      env: process.env,
    })
    expect(cli).toMatch(/^OK: \d+ records chained, \d+ sealed \(key [0-9a-f]{16}\)/)
  })
})

describe('the tip checkpoint beside the seal key', () => {
  /** Cuts the records after `keepId` off the end as someone with the database can; puts them back after. */
  async function withTailCut(keepId: number, check: (sql: RawSql) => Promise<void>) {
    await withRawSql((sql) =>
      sql.withoutTrigger('AuditEvent', 'AuditEvent_no_delete', async () => {
        // A copy of the rows, inside the database: they go back exactly as they were, whatever their column types.
        await sql.run('DROP TABLE IF EXISTS "vnpg_cut"')
        // (PostgreSQL takes no parameters in CREATE TABLE … AS: the id is a number of ours.)
        await sql.run(`CREATE TEMPORARY TABLE "vnpg_cut" AS SELECT * FROM "AuditEvent" WHERE "id" > ${Number(keepId)}`)
        try {
          await sql.run('DELETE FROM "AuditEvent" WHERE "id" > ?', keepId)
          await check(sql)
        } finally {
          await sql.run('DELETE FROM "AuditEvent" WHERE "id" > ?', keepId)
          await sql.run('INSERT INTO "AuditEvent" SELECT * FROM "vnpg_cut" ORDER BY "id"')
          await sql.run('DROP TABLE "vnpg_cut"')
        }
      }),
    )
  }

  it('reports records cut off the end of the log, in words', async () => {
    const keep = await recordAudit({ actor, action: 'itest.tail', target: 'kept', result: 'success' })
    await recordAudit({ actor, action: 'itest.tail', target: 'cut 1', result: 'success' })
    const last = await recordAudit({ actor, action: 'itest.tail', target: 'cut 2', result: 'success' })
    const { hash } = await db.auditEvent.findUniqueOrThrow({ where: { id: last } })
    expect(await verifyAuditChain()).toMatchObject({ ok: true, missing: null, tip: { id: last, hash } })

    await withTailCut(keep, async () => {
      for (const full of [true, false])
        expect(await verifyAuditChain({ full })).toMatchObject({
          ok: false,
          missing: `2 records missing after id ${keep} (the checkpoint says the tip was id ${last}, hash ${hash}).`,
        })
    })
    expect(await verifyAuditChain()).toMatchObject({ ok: true, missing: null })
  })

  it('keeps reporting the cut after the dashboard appends again', async () => {
    const keep = await recordAudit({ actor, action: 'itest.tail-append', target: 'kept', result: 'success' })
    const last = await recordAudit({ actor, action: 'itest.tail-append', target: 'cut', result: 'success' })
    const { hash } = await db.auditEvent.findUniqueOrThrow({ where: { id: last } })
    await withTailCut(keep, async (sql) => {
      // The next record chains to the record left at the end, so the chain alone looks whole.
      const appended = await recordAudit({ actor, action: 'itest.tail-append', target: 'after', result: 'success' })
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        broken: null,
        missing: `1 record missing after id ${keep} (the checkpoint says the tip was id ${last}, hash ${hash}).`,
      })
      // Put back in order below: the record appended meanwhile goes, the cut one comes back.
      await sql.run('DELETE FROM "AuditEvent" WHERE "id" = ?', appended)
    })
    expect(await verifyAuditChain()).toMatchObject({ ok: true, missing: null })
  })
})

describe('the audit page verification', () => {
  it('checks only the records after the sealed verified checkpoint, and that its record is still the same', async () => {
    await recordAudit({ actor, action: 'itest.incremental', target: 'a', result: 'success' })
    const whole = await verifyAuditChain({ full: false })
    expect(whole.ok).toBe(true)
    const verifiedThrough = await db.auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' } })

    await recordAudit({ actor, action: 'itest.incremental', target: 'b', result: 'success' })
    await recordAudit({ actor, action: 'itest.incremental', target: 'c', result: 'success' })
    const next = await verifyAuditChain({ full: false })
    expect(next).toMatchObject({ ok: true, verifiedEarlier: whole.checked, checked: whole.checked + 2 })
    expect(next.sealed).toBe(next.checked - (whole.checked - whole.sealed))

    // The record the checkpoint names, edited behind the triggers: the page's check says so without a full pass.
    const latest = await db.auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' } })
    await withRawSql((sql) =>
      sql.withoutTrigger('AuditEvent', 'AuditEvent_no_update', async () => {
        await sql.run('UPDATE "AuditEvent" SET "hash" = ? WHERE "id" = ?', 'f'.repeat(64), latest.id)
        try {
          expect(await verifyAuditChain({ full: false })).toMatchObject({
            ok: false,
            broken: { id: latest.id, reason: expect.stringContaining('it was replaced') },
          })
        } finally {
          await sql.run('UPDATE "AuditEvent" SET "hash" = ? WHERE "id" = ?', latest.hash, latest.id)
        }
      }),
    )
    expect(verifiedThrough.id).toBeLessThan(latest.id)
    expect(await verifyAuditChain({ full: false })).toMatchObject({ ok: true, checked: next.checked })
  })
})
