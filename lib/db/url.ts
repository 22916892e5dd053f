import path from 'node:path'
import { dataDir } from '@/lib/config/paths'

/** SQLite file under data/ by default; DATABASE_URL (file:... or postgres://...) overrides it. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(dataDir, 'virtnet.db')}`
}

export type DatabaseProvider = 'sqlite' | 'postgresql'

/** The URL's scheme picks the database: `file:` is the embedded SQLite, `postgres://`/`postgresql://` a server. */
export function providerOf(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite'
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql'
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL)`)
}

export function databaseProvider(): DatabaseProvider {
  return providerOf(databaseUrl())
}

export function databaseFile(): string {
  return path.resolve(databaseUrl().replace(/^file:/, ''))
}

/**
 * A PostgreSQL URL's `?schema=` (Prisma's convention) names the schema to use. pg does not know that parameter: it
 * becomes the connection's search_path (so unqualified migration SQL and raw queries land there) and the adapter's
 * schema option (so Prisma's own queries name it).
 */
export function postgresConnection(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema') ?? undefined
  parsed.searchParams.delete('schema')
  if (schema) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema))
      throw new Error(`DATABASE_URL's schema (${schema}) must be a plain name`)
    parsed.searchParams.set('options', `-c search_path=${schema}`)
  }
  return { connectionString: parsed.toString(), schema }
}
