import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { db } from '@/lib/db/client'
import { databaseFile } from '@/lib/db/url'
import { recordAudit } from '@/lib/audit/record'
import { verifyAuditChain } from '@/lib/audit/verify'
import { chainHash, type ChainedFields } from '@/lib/audit/chain'
import { auditKeyPath } from '@/lib/config/paths'
import fs from 'node:fs'
import { execFileSync } from 'node:child_process'
import { currentSealKey } from '@/lib/audit/seal'
import { verifyExport, type ExportedRecord } from '@/lib/audit/verify-export'

const actor = { id: null, username: 'itest' }

describe('audit log in SQLite', () => {
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
    const sqlite = new Database(databaseFile())
    try {
      expect(() => sqlite.prepare("UPDATE AuditEvent SET result = 'success'").run()).toThrow(/append-only/)
      expect(() => sqlite.prepare('DELETE FROM AuditEvent').run()).toThrow(/append-only/)
    } finally {
      sqlite.close()
    }
  })

  it('detects a record edited behind the triggers', async () => {
    const id = await recordAudit({ actor, action: 'itest.tamper', result: 'failure', error: 'original' })
    const sqlite = new Database(databaseFile())
    try {
      // An attacker with write access could drop the trigger; the hash chain still gives them away.
      sqlite.exec('DROP TRIGGER AuditEvent_no_update')
      sqlite.prepare("UPDATE AuditEvent SET result = 'success', error = NULL WHERE id = ?").run(id)
      const status = await verifyAuditChain()
      expect(status).toMatchObject({ ok: false, broken: { id, reason: expect.stringContaining('edited') } })
      sqlite.prepare("UPDATE AuditEvent SET result = 'failure', error = 'original' WHERE id = ?").run(id)
      expect((await verifyAuditChain()).ok).toBe(true)
    } finally {
      sqlite.exec(
        `CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;`,
      )
      sqlite.close()
    }
    expect(await db.auditEvent.count({ where: { action: 'itest.tamper' } })).toBe(1)
  })

  it('seals every record with a key outside the database, so a rewritten chain is caught', async () => {
    const id = await recordAudit({ actor, action: 'itest.rewrite', result: 'failure', error: 'original' })
    expect(fs.statSync(auditKeyPath).mode & 0o777).toBe(0o600)
    const before = await verifyAuditChain()
    expect(before).toMatchObject({ ok: true, keyFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) })
    expect(before.sealed).toBe(before.checked)

    const sqlite = new Database(databaseFile())
    type Row = ChainedFields & { id: number; hash: string; at: number | string }
    const rows = () => sqlite.prepare('SELECT * FROM AuditEvent WHERE id >= ? ORDER BY id').all(id) as Row[]
    const original = rows()
    // What someone with write access to the file can do: edit a record and recompute every hash after it.
    const rewrite = (edit: (row: Row) => Partial<Row>) => {
      let prevHash = original[0]!.prevHash
      for (const row of original) {
        const fields = { ...row, ...(row.id === id ? edit(row) : {}), prevHash, at: new Date(row.at) }
        const hash = chainHash(fields)
        sqlite
          .prepare('UPDATE AuditEvent SET result = ?, error = ?, prevHash = ?, hash = ? WHERE id = ?')
          .run(fields.result, fields.error, `tmp-${row.id}`, `tmp-${row.id}`, row.id)
        sqlite.prepare('UPDATE AuditEvent SET prevHash = ?, hash = ? WHERE id = ?').run(prevHash, hash, row.id)
        prevHash = hash
      }
    }
    try {
      sqlite.exec('DROP TRIGGER AuditEvent_no_update')
      rewrite(() => ({ result: 'success', error: null }))
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        broken: { id, reason: expect.stringContaining('without the audit key') },
      })
    } finally {
      rewrite((row) => ({ result: row.result, error: row.error }))
      sqlite.exec(
        `CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;`,
      )
      sqlite.close()
    }
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
  type Row = Record<string, unknown> & { id: number; hash: string }
  const noDelete = `CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;`

  /** Cuts the records after `keepId` off the end as someone with the database file can; puts them back after. */
  async function withTailCut(keepId: number, check: (sqlite: Database.Database) => Promise<void>) {
    const sqlite = new Database(databaseFile())
    const cut = sqlite.prepare('SELECT * FROM AuditEvent WHERE id > ? ORDER BY id').all(keepId) as Row[]
    try {
      sqlite.exec('DROP TRIGGER AuditEvent_no_delete')
      sqlite.prepare('DELETE FROM AuditEvent WHERE id > ?').run(keepId)
      await check(sqlite)
    } finally {
      sqlite.exec('DROP TRIGGER IF EXISTS AuditEvent_no_delete')
      sqlite.prepare('DELETE FROM AuditEvent WHERE id > ?').run(keepId)
      const columns = Object.keys(cut[0]!)
      const insert = sqlite.prepare(
        `INSERT INTO AuditEvent (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      )
      for (const row of cut) insert.run(row)
      sqlite.exec(noDelete)
      sqlite.close()
    }
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
    await withTailCut(keep, async (sqlite) => {
      // The next record chains to the record left at the end, so the chain alone looks whole.
      const appended = await recordAudit({ actor, action: 'itest.tail-append', target: 'after', result: 'success' })
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        broken: null,
        missing: `1 record missing after id ${keep} (the checkpoint says the tip was id ${last}, hash ${hash}).`,
      })
      // Put back in order below: the record appended meanwhile goes, the cut one comes back.
      sqlite.prepare('DELETE FROM AuditEvent WHERE id = ?').run(appended)
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
    const sqlite = new Database(databaseFile())
    try {
      sqlite.exec('DROP TRIGGER AuditEvent_no_update')
      sqlite.prepare('UPDATE AuditEvent SET hash = ? WHERE id = ?').run('f'.repeat(64), latest.id)
      expect(await verifyAuditChain({ full: false })).toMatchObject({
        ok: false,
        broken: { id: latest.id, reason: expect.stringContaining('it was replaced') },
      })
      sqlite.prepare('UPDATE AuditEvent SET hash = ? WHERE id = ?').run(latest.hash, latest.id)
    } finally {
      sqlite.exec(
        `CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;`,
      )
      sqlite.close()
    }
    expect(verifiedThrough.id).toBeLessThan(latest.id)
    expect(await verifyAuditChain({ full: false })).toMatchObject({ ok: true, checked: next.checked })
  })
})
