import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { db } from '@/lib/db/client'
import { databaseFile } from '@/lib/db/url'
import { recordAudit } from '@/lib/audit/record'
import { verifyAuditChain } from '@/lib/audit/verify'

const actor = { id: null, username: 'itest' }

describe('audit log in SQLite', () => {
  it('keeps one unbroken chain under 40 concurrent writers', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => recordAudit({ actor, action: 'itest.concurrent', target: `t${i}`, result: 'success' })))
    const status = await verifyAuditChain()
    expect(status.ok).toBe(true)
    expect(status.checked).toBeGreaterThanOrEqual(40)
  })

  it('refuses updates and deletes of audit rows at the database level', () => {
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
      sqlite.exec(`CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;`)
      sqlite.close()
    }
    expect(await db.auditEvent.count({ where: { action: 'itest.tamper' } })).toBe(1)
  })
})
