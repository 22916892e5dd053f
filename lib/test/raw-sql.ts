// The test database as someone with write access to it sees it: plain SQL past the dashboard, on SQLite (the file) or
// PostgreSQL (the URL's schema), whichever DATABASE_URL names. Statements use `?` placeholders and double-quoted
// identifiers, which both databases read the same way.
import Database from 'better-sqlite3'
import pg from 'pg'
import { databaseFile, databaseProvider, databaseUrl, postgresConnection } from '@/lib/db/url'

export type RawSql = {
  all<Row>(sql: string, ...params: unknown[]): Promise<Row[]>
  run(sql: string, ...params: unknown[]): Promise<void>
  /** Runs `work` with the table's trigger switched off (what an attacker with write access can do), then back on. */
  withoutTrigger<T>(table: string, trigger: string, work: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** `?` placeholders as PostgreSQL numbers them ($1, $2, …); none of our statements has a `?` inside a string. */
const numbered = (sql: string) => {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

// Prisma's pg adapter writes TIMESTAMP(3) columns (no time zone) in UTC: read them back as UTC too.
const utcTimestamps = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.TIMESTAMP
      ? (text: string) => new Date(`${text.replace(' ', 'T')}Z`)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

export async function openRawSql(): Promise<RawSql> {
  if (databaseProvider() === 'postgresql') {
    const client = new pg.Client({ connectionString: postgresConnection(databaseUrl()).connectionString })
    await client.connect()
    const all = async <Row>(sql: string, ...params: unknown[]) =>
      (await client.query({ text: numbered(sql), values: params, types: utcTimestamps })).rows as Row[]
    return {
      all,
      run: async (sql, ...params) => void (await all(sql, ...params)),
      withoutTrigger: async (table, trigger, work) => {
        await client.query(`ALTER TABLE "${table}" DISABLE TRIGGER "${trigger}"`)
        try {
          return await work()
        } finally {
          await client.query(`ALTER TABLE "${table}" ENABLE TRIGGER "${trigger}"`)
        }
      },
      close: () => client.end(),
    }
  }
  const sqlite = new Database(databaseFile())
  return {
    all: async <Row>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...params) as Row[],
    run: async (sql, ...params) => void sqlite.prepare(sql).run(...params),
    withoutTrigger: async (table, trigger, work) => {
      // SQLite cannot switch a trigger off: drop it and create it again from its own definition.
      const { sql } = sqlite
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name = ?")
        .get(table, trigger) as { sql: string }
      sqlite.exec(`DROP TRIGGER "${trigger}"`)
      try {
        return await work()
      } finally {
        sqlite.exec(sql)
      }
    },
    close: async () => void sqlite.close(),
  }
}
