// Prisma's WASM schema engine, driven over a driver adapter (better-sqlite3 or pg): it diffs and applies migrations
// without the native engine binary, which cannot be downloaded offline. Migrations stay in Prisma's own folder format,
// one folder per provider: prisma/migrations (SQLite) and prisma/postgres/migrations (PostgreSQL).
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from '@prisma/driver-adapter-utils'
import * as wasmBindings from '@prisma/schema-engine-wasm/schema_engine_bg'
import { postgresConnection, providerOf, type DatabaseProvider } from '@/lib/db/url'
import { deriveSchemaFile } from './derive-schema'

// One .prisma file per domain in prisma/schema/ (Prisma's multi-file schema): the one source for both providers.
export const schemaDir = path.resolve('prisma', 'schema')
export const migrationsDirs: Record<DatabaseProvider, string> = {
  sqlite: path.resolve('prisma', 'migrations'),
  postgresql: path.resolve('prisma', 'postgres', 'migrations'),
}
const lockfileName = 'migration_lock.toml'
export const noFilters = { externalTables: [], externalEnums: [] }

let loaded = false
async function loadWasm() {
  if (loaded) return
  // The package is built for bundlers (it imports the .wasm file as a module), which Node cannot do: instantiate by hand.
  const wasmFile = createRequire(import.meta.url)
    .resolve('@prisma/schema-engine-wasm/schema_engine_bg')
    .replace(/schema_engine_bg\.js$/, 'schema_engine_bg.wasm')
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmFile), {
    './schema_engine_bg.js': wasmBindings,
  })
  wasmBindings.__wbg_set_wasm(instance.exports)
  ;(instance.exports.__wbindgen_start as () => void)()
  loaded = true
}

/** The schema files for one provider: prisma/schema/ as written (SQLite) or derived from it (PostgreSQL). */
export function schemaFiles(provider: DatabaseProvider = 'sqlite') {
  return fs
    .readdirSync(schemaDir)
    .filter((name) => name.endsWith('.prisma'))
    .sort()
    .map((name) => {
      const content = fs.readFileSync(path.join(schemaDir, name), 'utf8')
      return provider === 'sqlite'
        ? { path: path.join(schemaDir, name), content }
        : { path: path.join(derivedSchemaDir, name), content: deriveSchemaFile(content) }
    })
}

/** Where `scripts/db/generate.sh` writes the derived PostgreSQL schema for `prisma generate` (git-ignored). */
export const derivedSchemaDir = path.resolve('prisma', 'postgres', 'schema')

// The engine reads PostgreSQL's catalogs to diff, and they use the one-byte type "char" (OID 18), which the pg adapter
// does not map ("Column type 'char' could not be deserialized"): the engine wants it as a Character column. Only
// migration tooling uses this adapter, never the dashboard, so the adapter's query methods are wrapped here, once.
const pgChar = 18
const pgText = 25
type PgField = { dataTypeID: number }
type RawResult = { columnTypes: number[]; rows: unknown[][] }
type Queryable = {
  performIO(query: unknown): Promise<{ fields: PgField[]; rows: unknown[][] }>
  queryRaw(query: unknown): Promise<RawResult>
}
const charColumnsOf = new WeakMap<unknown[][], number[]>()
const patchedQueryables = new WeakSet<object>()
function readCharColumns(queryable: Queryable) {
  if (patchedQueryables.has(queryable)) return
  patchedQueryables.add(queryable)
  const performIO = queryable.performIO
  queryable.performIO = async function (this: Queryable, query) {
    const result = await performIO.call(this, query)
    const charColumns = result.fields.flatMap((field, index) => (field.dataTypeID === pgChar ? [index] : []))
    for (const index of charColumns) result.fields[index]!.dataTypeID = pgText
    if (charColumns.length) charColumnsOf.set(result.rows, charColumns)
    return result
  }
  const queryRaw = queryable.queryRaw
  queryable.queryRaw = async function (this: Queryable, query) {
    const result = await queryRaw.call(this, query)
    for (const index of charColumnsOf.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character
    return result
  }
}

class CatalogReadingPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect()
    // PgQueryable, the class both the adapter and its transactions inherit the query methods from.
    readCharColumns(Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as Queryable)
    // The adapter splits a migration at every ";", which breaks a function body (the audit log's append-only trigger).
    // PostgreSQL takes the whole script in one simple query, and runs it as one transaction: a migration that fails
    // half-way leaves nothing behind.
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script)
      } catch (error) {
        ;(adapter as unknown as { onError(error: unknown): never }).onError(error)
      }
    }
    return adapter
  }
}

export function adapterFactoryFor(databaseUrl: string) {
  if (providerOf(databaseUrl) === 'sqlite') return new PrismaBetterSqlite3({ url: databaseUrl })
  const { connectionString, schema } = postgresConnection(databaseUrl)
  return new CatalogReadingPg({ connectionString }, { schema })
}

export async function openSchemaEngine(databaseUrl: string) {
  await loadWasm()
  const files = schemaFiles(providerOf(databaseUrl))
  const log = (line: string) => {
    if (process.env.VIRTNET_MIGRATE_DEBUG) console.error(line)
  }
  return wasmBindings.SchemaEngine.new(
    { datamodels: files.map((f) => [f.path, f.content] as [string, string]) },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactoryFor(databaseUrl)),
  )
}

/** One provider's migrations folder in the shape the engine (and the Prisma CLI) reads it. */
export function migrationsList(provider: DatabaseProvider = 'sqlite') {
  const dir = migrationsDirs[provider]
  const lockPath = path.join(dir, lockfileName)
  const directories = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : []
  return {
    baseDir: dir,
    lockfile: { path: lockfileName, content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: directories.map((name) => {
      const file = path.join(dir, name, 'migration.sql')
      const content = fs.existsSync(file)
        ? { tag: 'ok' as const, value: fs.readFileSync(file, 'utf8') }
        : { tag: 'error' as const, value: `${file} is missing` }
      return { path: name, migrationFile: { path: 'migration.sql', content } }
    }),
  }
}

export function writeLockfile(provider: DatabaseProvider = 'sqlite') {
  fs.mkdirSync(migrationsDirs[provider], { recursive: true })
  fs.writeFileSync(
    path.join(migrationsDirs[provider], lockfileName),
    `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`,
  )
}
