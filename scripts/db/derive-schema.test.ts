import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { deriveSchemaFile, postgresClientOutput } from './derive-schema'

const core = fs.readFileSync(path.resolve('prisma/schema/core.prisma'), 'utf8')

describe('the PostgreSQL schema derived from prisma/schema', () => {
  it('swaps the provider and the client folder and keeps every model as written', () => {
    const derived = deriveSchemaFile(core)
    expect(derived).toMatch(/datasource db \{\s*provider = "postgresql"\s*\}/)
    expect(derived).toContain(`output       = "${postgresClientOutput}"`)
    expect(derived).not.toContain('"sqlite"')
    const models = (text: string) => text.slice(text.indexOf('model '))
    expect(models(derived)).toBe(models(core))
  })

  it('refuses native type attributes instead of carrying a SQLite type into PostgreSQL', () => {
    expect(() => deriveSchemaFile('model A {\n  id String @id @db.Text\n}\n')).toThrow(/@db\.Text/)
  })

  it('refuses a datasource for another provider', () => {
    expect(() => deriveSchemaFile('datasource db {\n  provider = "mysql"\n}\n')).toThrow(/provider = "sqlite"/)
  })
})
