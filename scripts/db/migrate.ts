// `npm run db:migrate` applies pending migrations; `npm run db:new-migration -- NAME` writes a new one from the schema.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { databaseUrl, databaseFile } from '@/lib/db/url'
import { secureDataDir } from '@/lib/config/data-dir'
import { filesOfThisDatabase } from '@/lib/audit/seal'
import { migrationsDir, migrationsList, noFilters, openSchemaEngine, schemaFiles, writeLockfile } from './schema-engine'

async function applyPending(url: string) {
  const engine = await openSchemaEngine(url)
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: migrationsList(),
      filters: noFilters,
    })
    return appliedMigrationNames
  } finally {
    engine.free()
  }
}

async function createMigration(name: string) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('Migration names use lower-case letters, digits and underscores.')
  // The engine diffs a database against the schema: replay the existing migrations into a scratch database first.
  const scratch = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'virtnet-migrate-')), 'scratch.db')
  const engine = await openSchemaEngine(`file:${scratch}`)
  try {
    await engine.applyMigrations({ migrationsList: migrationsList(), filters: noFilters })
    const files = schemaFiles()
    const { stdout } = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: noFilters,
    })
    const sql = (stdout ?? '').trim()
    if (!sql || sql === '-- This is an empty migration.')
      return console.log('The schema matches the migrations: nothing to write.')
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
    const folder = path.join(migrationsDir, `${stamp}_${name}`)
    fs.mkdirSync(folder, { recursive: true })
    fs.writeFileSync(path.join(folder, 'migration.sql'), `${sql}\n`)
    writeLockfile()
    console.log(`Wrote ${path.relative(process.cwd(), folder)}/migration.sql`)
  } finally {
    engine.free()
    fs.rmSync(path.dirname(scratch), { recursive: true, force: true })
  }
}

async function main() {
  const createIndex = process.argv.indexOf('--create')
  if (createIndex >= 0) return createMigration(process.argv[createIndex + 1] ?? 'change')
  // The database (and the -wal and -shm files SQLite gives the same mode) is the dashboard's alone.
  process.umask(0o077)
  secureDataDir()
  fs.mkdirSync(path.dirname(databaseFile()), { recursive: true })
  // WAL lets the dashboard read while a writer commits; the mode is stored in the database file itself.
  const sqlite = new Database(databaseFile())
  sqlite.pragma('journal_mode = WAL')
  sqlite.close()
  const applied = await applyPending(databaseUrl())
  fs.chmodSync(databaseFile(), 0o600)
  // A database created anew at this path starts a new audit log: the anchors beside the seal key that described the
  // previous one (lib/audit/checkpoint.ts) would report its records as missing.
  if (applied.includes(migrationsList().migrationDirectories[0]?.path ?? ''))
    for (const file of filesOfThisDatabase()) fs.rmSync(file, { force: true })
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.')
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
