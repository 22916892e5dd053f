// A database as an older Virtnet left it, for scripts/db/upgrade.itest.ts: applies the migrations up to and including
// the one named, no further, to DATABASE_URL (the way `npm run db:migrate` applied them back then).
// Run: node --conditions=react-server --import tsx lib/test/migrate-to-child.ts MIGRATION_NAME
import Database from 'better-sqlite3'
import { databaseFile, databaseUrl } from '@/lib/db/url'
import { migrationsList, noFilters, openSchemaEngine } from '@/scripts/db/schema-engine'

const last = process.argv[2]!
const list = migrationsList()
const upTo = list.migrationDirectories.findIndex((migration) => migration.path === last)
if (upTo < 0) throw new Error(`No migration ${last}`)
const sqlite = new Database(databaseFile())
sqlite.pragma('journal_mode = WAL')
sqlite.close()
const engine = await openSchemaEngine(databaseUrl())
try {
  const { appliedMigrationNames } = await engine.applyMigrations({
    migrationsList: { ...list, migrationDirectories: list.migrationDirectories.slice(0, upTo + 1) },
    filters: noFilters,
  })
  console.log(appliedMigrationNames.join('\n'))
} finally {
  engine.free()
}
