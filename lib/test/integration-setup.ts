// Vitest globalSetup for integration tests: the real lab (sshd, libvirtd, namespaces) and a fresh test database.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { TestProject } from 'vitest/node'

export default function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, '../..')
  // The suite runs shuffled (vitest.config.ts): the seed is what repeats a failing order (docs/testing.md).
  const seed = project.vitest.config.sequence.seed
  console.log(
    `[integration] shuffled with seed ${seed}; repeat this order: npx vitest run --project integration --sequence.seed=${seed}`,
  )
  // VIRTNET_LAB_UP=up-c brings up only host C, for a checkout whose lab script differs from the one that runs the
  // shared lab (the others' hosts are then left exactly as they are).
  const labUp = process.env.VIRTNET_LAB_UP === 'up-c' ? 'up-c' : 'up'
  execFileSync('bash', [path.join(root, 'scripts/lab/lab.sh'), labUp], { stdio: 'inherit', cwd: root })
  const testDb = process.env.VIRTNET_TEST_DB ?? path.join(root, 'data/test/integration.db')
  const databaseUrl = /^postgres(ql)?:\/\//.test(testDb) ? testDb : `file:${testDb}`
  if (databaseUrl.startsWith('file:')) {
    fs.mkdirSync(path.dirname(testDb), { recursive: true })
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(testDb + suffix, { force: true })
  } else {
    // PostgreSQL: the URL's ?schema= is this run's alone; it starts empty, like the SQLite file above.
    const schema = new URL(databaseUrl).searchParams.get('schema')
    if (!schema) throw new Error('VIRTNET_TEST_DB on PostgreSQL needs a ?schema= of its own (it is dropped first)')
    execFileSync('npx', ['tsx', 'scripts/db/drop-schema.ts'], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    })
  }
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/db/migrate.ts'], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  })
}
