#!/usr/bin/env bash
# `prisma generate` never runs the schema engine, but it insists on finding one and would try to download it
# offline; any executable satisfies the check. Two clients from the one schema: SQLite (lib/db/generated) and
# PostgreSQL (lib/db/generated-postgres, from the schema derived into prisma/postgres/schema/).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}" PRISMA_HIDE_UPDATE_MESSAGE=1
npx prisma generate
npx tsx scripts/db/write-postgres-schema.ts
npx prisma generate --schema prisma/postgres/schema
