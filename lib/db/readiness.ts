import 'server-only'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { databaseProvider } from '@/lib/db/url'

// (turbopackIgnore: a run-time path, not files the build should trace into the server bundle.)
const migrationsDir = () =>
  databaseProvider() === 'sqlite'
    ? path.resolve(/*turbopackIgnore: true*/ process.cwd(), 'prisma', 'migrations')
    : path.resolve(/*turbopackIgnore: true*/ process.cwd(), 'prisma', 'postgres', 'migrations')

/** The migrations this build ships for its database (prisma/migrations or prisma/postgres/migrations, one folder each, named by time). */
export function shippedMigrations(dir = migrationsDir()): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
}

/**
 * What keeps the schema from matching this build, in words for the log, or null when it matches: a shipped migration
 * not applied (the service started without `npm run db:migrate`) or an applied one this build does not know (the
 * database belongs to a newer release).
 */
export function migrationProblem(shipped: string[], applied: string[]): string | null {
  const missing = shipped.filter((name) => !applied.includes(name))
  if (missing.length) return `migrations not applied: ${missing.join(', ')}`
  const unknown = applied.filter((name) => !shipped.includes(name))
  if (unknown.length) return `the database has migrations this build does not ship: ${unknown.join(', ')}`
  return null
}

/**
 * Readiness for a load balancer or the service manager: the database answers and its schema is the one this build
 * expects. Deliberately no authorization: the answer says ready or not and nothing else; the reason goes to the log.
 */
export async function databaseReadiness(): Promise<{ ready: true } | { ready: false; problem: string }> {
  let applied: string[]
  try {
    const rows = await db.$queryRaw<Array<{ migration_name: string }>>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`
    applied = rows.map((row) => row.migration_name)
  } catch (error) {
    return { ready: false, problem: `the database cannot be read: ${(error as Error).message}` }
  }
  const problem = migrationProblem(shippedMigrations(), applied)
  return problem ? { ready: false, problem } : { ready: true }
}
