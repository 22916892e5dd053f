import path from 'node:path'
import { defineConfig } from 'prisma/config'

// Same default as lib/db/url.ts: a SQLite file under data/ unless DATABASE_URL says otherwise.
export default defineConfig({
  schema: path.join('prisma', 'schema'),
  migrations: { path: path.join('prisma', 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? `file:${path.resolve('data', 'virtnet.db')}` },
})
