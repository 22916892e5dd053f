import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

/*
 * A database created anew at a path starts a new audit log: the anchors beside the seal key that described the
 * previous database at that path (its tip, its verified point, its first sealed record) go, or the new log would be
 * reported as cut. The files of other databases stay, and so do this database's when it is only brought up to date.
 */
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'vna-migrate-'))
const database = path.join(folder, 'virtnet.db')
const tag = (file: string) => createHash('sha256').update(file).digest('hex').slice(0, 12)
const anchors = ['tip', 'verified', 'sealed-from'].map((name) => path.join(folder, 'audit', `${name}-${tag(database)}`))
const otherDatabase = path.join(folder, 'audit', `tip-${tag(path.join(folder, 'other.db'))}`)

const migrate = () =>
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/db/migrate.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: `file:${database}`,
      VIRTNET_AUDIT_KEY_FILE: path.join(folder, 'audit', 'seal.key'),
    },
    encoding: 'utf8',
  })

afterAll(() => {
  fs.rmSync(folder, { recursive: true, force: true })
})

describe('migrating a database created anew', () => {
  it("drops that database's audit anchors beside the seal key, and only when it is new", () => {
    fs.mkdirSync(path.join(folder, 'audit'))
    for (const file of [...anchors, otherDatabase]) fs.writeFileSync(file, 'left from an earlier database\n')
    expect(migrate()).toMatch(/^Applied migrations: \d+_init/)
    expect(anchors.filter((file) => fs.existsSync(file))).toEqual([])
    expect(fs.existsSync(otherDatabase)).toBe(true)

    fs.writeFileSync(anchors[0]!, 'this database\n')
    expect(migrate()).toMatch(/^Database is up to date\./)
    expect(fs.existsSync(anchors[0]!)).toBe(true)
  })
})
