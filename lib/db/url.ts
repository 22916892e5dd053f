import path from 'node:path'
import { dataDir } from '@/lib/config/paths'

/** SQLite file under data/ by default; DATABASE_URL (file:...) overrides it. */
export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(dataDir, 'virtnet.db')}`
}

export function databaseFile(): string {
  return path.resolve(databaseUrl().replace(/^file:/, ''))
}
