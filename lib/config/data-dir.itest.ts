import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vnl-datadir-'))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8)

describe('a fresh data folder', () => {
  it('gets its database 0600 inside a 0700 folder from the migration, whatever the umask', () => {
    const dataDir = path.join(scratch, 'data')
    const database = path.join(dataDir, 'virtnet.db')
    execFileSync('bash', ['-c', 'umask 022 && exec npx tsx --conditions=react-server scripts/db/migrate.ts'], {
      cwd: root,
      env: { ...process.env, VIRTNET_DATA_DIR: dataDir, DATABASE_URL: `file:${database}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    expect(modeOf(dataDir)).toBe('700')
    expect(modeOf(database)).toBe('600')
  })
})
