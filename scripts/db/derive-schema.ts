// The PostgreSQL schema is derived from prisma/schema/ (the one source, written for SQLite), never edited by hand:
// the datasource's provider and the generated client's folder change; every scalar type the schema uses (String,
// Int, BigInt, Boolean, DateTime) maps to a PostgreSQL type by Prisma's own defaults, so no type needs rewriting.
// Native type attributes (@db.…) are provider-specific: they are refused here rather than mistranslated.

const derivedHeader =
  '// GENERATED from prisma/schema/ by scripts/db/derive-schema.ts for PostgreSQL: do not edit, edit prisma/schema/.\n'

/** The generated PostgreSQL client's folder, next to the SQLite one (lib/db/generated). */
export const postgresClientOutput = '../../../lib/db/generated-postgres'

export function deriveSchemaFile(source: string): string {
  const nativeType = source.match(/@db\.\w+/)
  if (nativeType)
    throw new Error(`${nativeType[0]}: native type attributes are provider-specific; the shared schema cannot use them`)
  let datasources = 0
  let generators = 0
  const derived = source
    .replace(/(datasource\s+\w+\s*\{[^}]*?provider\s*=\s*)"sqlite"/g, (_, head: string) => {
      datasources++
      return `${head}"postgresql"`
    })
    .replace(/(generator\s+client\s*\{[^}]*?output\s*=\s*)"[^"]*"/g, (_, head: string) => {
      generators++
      return `${head}"${postgresClientOutput}"`
    })
  if (/datasource\s+\w+\s*\{/.test(source) && datasources !== 1)
    throw new Error('The shared schema\'s datasource must say provider = "sqlite" (the derived one says postgresql)')
  if (/generator\s+client\s*\{/.test(source) && generators !== 1)
    throw new Error("The shared schema's client generator must name its output folder")
  return derivedHeader + derived
}
