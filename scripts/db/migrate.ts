// `npm run db:migrate` applies pending migrations to DATABASE_URL (SQLite or PostgreSQL);
// `npm run db:new-migration -- NAME` writes a new one from the schema for both providers at once, and
// `npm run db:new-migration -- NAME --only postgresql` (or sqlite) for one: e.g. the PostgreSQL catch-up after a merge
// brought SQLite migrations for new models.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import pg from 'pg'
import { databaseUrl, databaseFile, postgresConnection, providerOf, type DatabaseProvider } from '@/lib/db/url'
import { secureDataDir } from '@/lib/config/data-dir'
import { filesOfThisDatabase } from '@/lib/audit/seal'
import {
  migrationsDirs,
  migrationsList,
  noFilters,
  openSchemaEngine,
  schemaFiles,
  writeLockfile,
} from './schema-engine'

/** The PostgreSQL server `db:new-migration` replays migrations into (a scratch schema, dropped afterwards). */
const scratchPostgresUrl = () =>
  process.env.VIRTNET_POSTGRES_SCRATCH_URL ??
  (process.env.DATABASE_URL && providerOf(process.env.DATABASE_URL) === 'postgresql'
    ? process.env.DATABASE_URL
    : 'postgresql://virtnet:virtnet@127.0.0.1:5432/virtnet')

async function applyPending(url: string) {
  const engine = await openSchemaEngine(url)
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: migrationsList(providerOf(url)),
      filters: noFilters,
    })
    return appliedMigrationNames
  } finally {
    engine.free()
  }
}

/** Runs `use` on a URL of an empty scratch database of `provider`, removed afterwards. */
async function withScratchDatabase<T>(provider: DatabaseProvider, work: (url: string) => Promise<T>): Promise<T> {
  if (provider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtnet-migrate-'))
    try {
      return await work(`file:${path.join(dir, 'scratch.db')}`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  const server = new URL(scratchPostgresUrl())
  server.searchParams.delete('schema')
  const schema = `virtnet_scratch_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: postgresConnection(server.toString()).connectionString })
  try {
    await client.connect()
  } catch (error) {
    throw new Error(
      `A PostgreSQL migration is written against a scratch schema on a server, and ${server.host} did not answer (${(error as Error).message}). Start one (pg_ctlcluster 15 main start) or name it in VIRTNET_POSTGRES_SCRATCH_URL.`,
    )
  }
  try {
    await client.query(`CREATE SCHEMA "${schema}"`)
    server.searchParams.set('schema', schema)
    return await work(server.toString())
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  }
}

async function createMigration(provider: DatabaseProvider, name: string, stamp: string) {
  // The engine diffs a database against the schema: replay the existing migrations into a scratch database first.
  return withScratchDatabase(provider, async (url) => {
    const engine = await openSchemaEngine(url)
    try {
      await engine.applyMigrations({ migrationsList: migrationsList(provider), filters: noFilters })
      const files = schemaFiles(provider)
      const { stdout } = await engine.diff({
        from: { tag: 'schemaDatasource', files, configDir: process.cwd() },
        to: { tag: 'schemaDatamodel', files },
        script: true,
        exitCode: null,
        filters: noFilters,
      })
      const sql = (stdout ?? '').trim()
      if (!sql || sql === '-- This is an empty migration.')
        return console.log(`${provider}: the schema matches the migrations, nothing to write.`)
      const folder = path.join(migrationsDirs[provider], `${stamp}_${name}`)
      fs.mkdirSync(folder, { recursive: true })
      fs.writeFileSync(path.join(folder, 'migration.sql'), `${sql}\n`)
      writeLockfile(provider)
      console.log(`${provider}: wrote ${path.relative(process.cwd(), folder)}/migration.sql`)
    } finally {
      engine.free()
    }
  })
}

async function migrateSqlite(url: string) {
  const file = path.resolve(url.replace(/^file:/, ''))
  // The database (and the -wal and -shm files SQLite gives the same mode) is the dashboard's alone.
  process.umask(0o077)
  secureDataDir()
  fs.mkdirSync(path.dirname(file), { recursive: true })
  // WAL lets the dashboard read while a writer commits; the mode is stored in the database file itself.
  const sqlite = new Database(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.close()
  const applied = await applyPending(url)
  fs.chmodSync(databaseFile(), 0o600)
  // A database created anew at this path starts a new audit log: the anchors beside the seal key that described the
  // previous one (lib/audit/checkpoint.ts) would report its records as missing.
  if (applied.includes(migrationsList('sqlite').migrationDirectories[0]?.path ?? ''))
    for (const anchor of filesOfThisDatabase()) fs.rmSync(anchor, { force: true })
  return applied
}

async function migratePostgres(url: string) {
  const { connectionString, schema } = postgresConnection(url)
  if (schema) {
    const client = new pg.Client({ connectionString })
    await client.connect()
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
    } finally {
      await client.end()
    }
  }
  const applied = await applyPending(url)
  if (applied.includes(migrationsList('postgresql').migrationDirectories[0]?.path ?? ''))
    for (const anchor of filesOfThisDatabase()) fs.rmSync(anchor, { force: true })
  return applied
}

async function main() {
  const args = process.argv.slice(2)
  const createIndex = args.indexOf('--create')
  if (createIndex >= 0) {
    const name = args[createIndex + 1] ?? 'change'
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error('Migration names use lower-case letters, digits and underscores.')
    const onlyIndex = args.indexOf('--only')
    const providers: DatabaseProvider[] = ['sqlite', 'postgresql']
    const only = providers.find((provider) => provider === args[onlyIndex + 1])
    if (onlyIndex >= 0 && !only) throw new Error('--only takes sqlite or postgresql')
    // Both folders get the same time stamp, so the pair reads as one change.
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
    for (const provider of only ? [only] : providers) await createMigration(provider, name, stamp)
    return
  }
  const url = databaseUrl()
  const applied = providerOf(url) === 'sqlite' ? await migrateSqlite(url) : await migratePostgres(url)
  console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date.')
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
