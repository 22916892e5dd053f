// What `npm run backup` records beside the copy, and what `npm run restore` checks before putting it back.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import Database from 'better-sqlite3'

export const backupFormat = 'virtnet-backup/1'

export type BackupManifest = {
  format: typeof backupFormat
  createdAt: string
  source: { database: string; sshKey: string }
  /** migrations the copy has applied (a restore onto newer code is brought up to date at the service's start) */
  migrations: string[]
  auditRecords: number
  /** fingerprint of the seal key the records were sealed with (the key itself is never in a backup) */
  sealKey: { fingerprint: string; sealedFrom: number | null } | null
  sha256: Record<string, string>
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

export function describeDatabase(file: string): Pick<BackupManifest, 'migrations' | 'auditRecords'> {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const migrations = db
      .prepare(
        'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
      )
      .all() as Array<{ name: string }>
    const { count } = db.prepare('SELECT count(*) AS count FROM "AuditEvent"').get() as { count: number }
    return { migrations: migrations.map((row) => row.name), auditRecords: count }
  } finally {
    db.close()
  }
}
