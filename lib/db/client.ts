import 'server-only'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '@/lib/db/generated/client'
import { PrismaClient as PostgresPrismaClient } from '@/lib/db/generated-postgres/client'
import { databaseUrl, postgresConnection, providerOf } from '@/lib/db/url'
import { refuseInPreview } from '@/lib/core/preview-scope'
import { NothingToPreview } from '@/lib/core/errors'
import { timedPhase } from '@/lib/core/phases'

const writeOperations = new Set([
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
  '$executeRaw',
  '$executeRawUnsafe',
])

/**
 * DATABASE_URL picks the database: `file:` the embedded SQLite, `postgres://` a PostgreSQL server shared by several
 * replicas. Both clients come from the one schema (scripts/db/derive-schema.ts) and have the same models and methods,
 * so the rest of the code sees one type: the SQLite client's.
 */
function baseClient(url: string): PrismaClient {
  if (providerOf(url) === 'sqlite')
    // timeout is SQLite's busy timeout: writers wait for each other instead of failing with SQLITE_BUSY.
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url, timeout: 10_000 }) })
  const { connectionString, schema } = postgresConnection(url)
  return new PostgresPrismaClient({
    adapter: new PrismaPg({ connectionString }, { schema }),
  }) as unknown as PrismaClient
}

function createClient() {
  // A preview never changes anything, whatever the action does before its plan: every write is refused here, in one
  // place, while a preview runs (lib/core/preview-scope.ts), so no action can forget it.
  return baseClient(databaseUrl()).$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        if (writeOperations.has(operation))
          refuseInPreview(
            () => new NothingToPreview(`it changes Virtnet's own records (${model ?? 'database'}), not a host`),
          )
        // The benchmark's `db` phase (free outside a measurement).
        return timedPhase('db', () => query(args))
      },
    },
  })
}

export type Database = ReturnType<typeof createClient>

// One client per process; kept on globalThis so dev-mode hot reloads do not open a new connection each time.
const globalForDb = globalThis as unknown as { virtnetDb?: Database }

export const db: Database = globalForDb.virtnetDb ?? createClient()
globalForDb.virtnetDb = db
