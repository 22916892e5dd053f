import 'server-only'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from '@/lib/db/generated/client'
import { databaseUrl } from '@/lib/db/url'

// One client per process; kept on globalThis so dev-mode hot reloads do not open a new connection each time.
const globalForDb = globalThis as unknown as { virtnetDb?: PrismaClient }

function createClient() {
  // timeout is SQLite's busy timeout: writers wait for each other instead of failing with SQLITE_BUSY.
  const adapter = new PrismaBetterSqlite3({ url: databaseUrl(), timeout: 10_000 })
  return new PrismaClient({ adapter })
}

export const db: PrismaClient = globalForDb.virtnetDb ?? createClient()
globalForDb.virtnetDb = db
