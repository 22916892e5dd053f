// Drops the PostgreSQL schema DATABASE_URL's ?schema= names, with everything in it: a test run starts from nothing.
import pg from 'pg'
import { postgresConnection } from '@/lib/db/url'

const { connectionString, schema } = postgresConnection(process.env.DATABASE_URL ?? '')
if (!schema) throw new Error('DATABASE_URL names no ?schema= to drop')
const client = new pg.Client({ connectionString })
await client.connect()
await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
await client.end()
