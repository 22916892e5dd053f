// Writes the PostgreSQL schema derived from prisma/schema/ to prisma/postgres/schema/ (git-ignored), for
// `prisma generate` in scripts/db/generate.sh. The migration scripts derive it in memory.
import fs from 'node:fs'
import path from 'node:path'
import { derivedSchemaDir, schemaFiles } from './schema-engine'

fs.rmSync(derivedSchemaDir, { recursive: true, force: true })
fs.mkdirSync(derivedSchemaDir, { recursive: true })
for (const file of schemaFiles('postgresql')) fs.writeFileSync(file.path, file.content)
console.log(`Derived ${path.relative(process.cwd(), derivedSchemaDir)}/ from prisma/schema/`)
