// An upgrade from the first release's database: the first migration only, a row in every table it has, then
// `npm run db:migrate` (what the service runs before every start) to the current schema. The rows survive, the schema
// is the one a fresh install gets, the dashboard boots on it and every part of the schema is usable.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chainHash, genesisHash } from '@/lib/audit/chain'
import { hashPassword } from '@/lib/auth/password'

const repo = path.resolve(import.meta.dirname, '../..')
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'vnp-upgrade-'))
const upgradedFile = path.join(temp, 'data', 'virtnet.db')
const freshFile = path.join(temp, 'fresh', 'virtnet.db')
const env = (databaseFile: string): NodeJS.ProcessEnv => ({
  ...process.env,
  DATABASE_URL: `file:${databaseFile}`,
  VIRTNET_DATA_DIR: path.dirname(databaseFile),
  VIRTNET_AUDIT_KEY_FILE: path.join(temp, 'audit', 'seal.key'),
})
// This file's own imports of lib/ (below, dynamic) see the upgraded database, never the suite's.
Object.assign(process.env, env(upgradedFile))

const migrations = fs
  .readdirSync(path.join(repo, 'prisma', 'migrations'))
  .filter((name) => /^\d+_/.test(name))
  .sort()
const password = 'vnp-old-release-password'

function tsx(script: string, args: string[], childEnv: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('node', ['--conditions=react-server', '--import', 'tsx', script, ...args], {
      cwd: repo,
      env: childEnv,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** How Prisma's SQLite adapter writes a DateTime. */
const stored = (date: Date) => date.toISOString().replace('Z', '+00:00')

/** Rows in every table of the first migration, written the way that release wrote them (two chained audit records). */
async function fillFirstRelease(file: string) {
  const db = new Database(file)
  const t0 = new Date('2026-11-28T16:00:00.000Z')
  const t1 = new Date('2026-11-28T16:05:00.000Z')
  db.prepare('INSERT INTO "User" (id, username, passwordHash, role) VALUES (?, ?, ?, ?)').run(
    'vnp-user',
    'vnp-old-admin',
    await hashPassword(password),
    'admin',
  )
  db.prepare('INSERT INTO "Session" (id, userId, expiresAt) VALUES (?, ?, ?)').run(
    'vnp-session',
    'vnp-user',
    stored(new Date('2030-01-01T00:00:00.000Z')),
  )
  db.prepare('INSERT INTO "LoginAttempt" (username, clientIp, success) VALUES (?, ?, ?)').run(
    'vnp-old-admin',
    '127.0.0.1',
    1,
  )
  // Port 1 on loopback: a host nobody answers for, so re-reading it after the upgrade reaches nothing.
  db.prepare('INSERT INTO "Host" (id, name, address, port, updatedAt) VALUES (?, ?, ?, ?, ?)').run(
    'vnp-host',
    'vnp-old-host',
    '127.0.0.1',
    1,
    stored(t0),
  )
  db.prepare(
    'INSERT INTO "DesiredNetwork" (id, hostId, name, kind, xml, active, autostart, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run('vnp-net', 'vnp-host', 'vnp-net', 'nat', '<network><name>vnp-net</name></network>', 1, 1, stored(t0))
  let prevHash = genesisHash
  for (const [index, at] of [t0, t1].entries()) {
    const fields = {
      at,
      actorId: 'vnp-user',
      actorName: 'vnp-old-admin',
      hostId: 'vnp-host',
      hostName: 'vnp-old-host',
      action: 'network.define',
      target: `vnp-net ${index}`,
      params: '{}',
      commands: '[]',
      result: 'success',
      error: null,
      prevHash,
    }
    const hash = chainHash(fields)
    db.prepare(
      'INSERT INTO "AuditEvent" (at, actorId, actorName, hostId, hostName, action, target, params, commands, result, error, prevHash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(stored(at), ...Object.values(fields).slice(1), hash)
    prevHash = hash
  }
  const job = db.prepare(
    'INSERT INTO "Job" (id, hostId, kind, title, status, actorName, finishedAt) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  job.run('vnp-job-running', 'vnp-host', 'plan', 'running when the old release stopped', 'running', 'x', null)
  job.run('vnp-job-interrupted', 'vnp-host', 'plan', 'interrupted before', 'interrupted', 'x', stored(t1))
  db.prepare('INSERT INTO "JobStep" (jobId, position, label, status) VALUES (?, ?, ?, ?)').run(
    'vnp-job-running',
    0,
    'a step',
    'done',
  )
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_prisma_migrations'",
    )
    .all() as Array<{ name: string }>
  const counts = Object.fromEntries(
    tables.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]),
  )
  db.close()
  return counts
}

function schemaOf(file: string) {
  const db = new Database(file, { readonly: true })
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all()
  db.close()
  return rows
}

const droppedOnPurpose = ['LoginAttempt']

describe('upgrade from the first migration to the current schema', () => {
  let firstRelease: Record<string, number>
  let upgrade: Awaited<ReturnType<typeof tsx>>
  // read right after the upgrade: the boot test (in whichever order the tests run) adds rows of its own
  let rowsAfterUpgrade: Record<string, number | null>

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(upgradedFile), { recursive: true })
    const old = await tsx('lib/test/migrate-to-child.ts', [migrations[0]!], env(upgradedFile))
    expect(old.stdout.trim()).toBe(migrations[0])
    firstRelease = await fillFirstRelease(upgradedFile)
    upgrade = await tsx('scripts/db/migrate.ts', [], env(upgradedFile))
    const upgraded = new Database(upgradedFile, { readonly: true })
    const exists = (table: string) =>
      upgraded.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined
    rowsAfterUpgrade = Object.fromEntries(
      Object.keys(firstRelease).map((table) => [
        table,
        exists(table) ? (upgraded.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n : null,
      ]),
    )
    upgraded.close()
    const fresh = await tsx('scripts/db/migrate.ts', [], env(freshFile))
    expect(fresh.code).toBe(0)
  }, 180_000)

  afterAll(() => fs.rmSync(temp, { recursive: true, force: true }))

  it('starts from a database with a row in every table, and applies every later migration', () => {
    expect(Object.keys(firstRelease).sort()).toEqual(
      ['AuditEvent', 'DesiredNetwork', 'Host', 'Job', 'JobStep', 'LoginAttempt', 'Session', 'User'].sort(),
    )
    for (const [table, count] of Object.entries(firstRelease)) expect(count, table).toBeGreaterThan(0)
    expect(upgrade.stderr).toBe('')
    expect(upgrade.code).toBe(0)
    expect(upgrade.stdout.trim()).toBe(`Applied migrations: ${migrations.slice(1).join(', ')}`)
  })

  it('ends with the schema a fresh install has and every row kept', () => {
    expect(schemaOf(upgradedFile)).toEqual(schemaOf(freshFile))
    for (const [table, count] of Object.entries(firstRelease))
      // Dropped on purpose by a later migration: failed log-ins became the throttle's own rows (LoginThrottle),
      // transient state with nothing worth carrying over.
      expect(rowsAfterUpgrade[table], table).toBe(droppedOnPurpose.includes(table) ? null : count)
  })

  it('boots on the upgraded database and every part of the schema works', async () => {
    const booted = await tsx('lib/test/boot-child.ts', [], env(upgradedFile))
    expect(booted.code).toBe(0)
    const seen = JSON.parse(booted.stdout.trim().split('\n').pop()!) as {
      chain: { ok: boolean; checked: number; sealed: number }
      users: Array<{ username: string }>
      jobs: Array<{ id: string; status: string }>
    }
    // No new first admin: the old release's admin is there. The job the old release left running is interrupted.
    expect(seen.users).toEqual([{ username: 'vnp-old-admin', role: 'admin' }])
    expect(seen.jobs).toEqual([
      { id: 'vnp-job-interrupted', status: 'interrupted' },
      { id: 'vnp-job-running', status: 'interrupted' },
    ])
    expect(seen.chain).toMatchObject({ ok: true, checked: 2, sealed: 0 })

    const { db } = await import('@/lib/db/client')
    const { verifyPassword } = await import('@/lib/auth/password')
    const { recordAudit } = await import('@/lib/audit/record')
    const { verifyAuditChain } = await import('@/lib/audit/verify')
    const admin = await db.user.findUniqueOrThrow({ where: { username: 'vnp-old-admin' } })
    expect(await verifyPassword(password, admin.passwordHash)).toBe(true)
    expect(await db.session.count({ where: { userId: admin.id } })).toBe(1)
    const host = await db.host.findUniqueOrThrow({ where: { name: 'vnp-old-host' }, include: { networks: true } })
    expect(host.networks.map((network) => network.name)).toEqual(['vnp-net'])
    // The job-recovery migration's own data step: a job interrupted before it counts as already re-read.
    const oldInterrupted = await db.job.findUniqueOrThrow({ where: { id: 'vnp-job-interrupted' } })
    expect(oldInterrupted.recheckedAt).toEqual(oldInterrupted.finishedAt)

    // The tables and columns later migrations added take rows next to the old ones.
    await db.dhcpMapping.create({
      data: { hostId: host.id, network: 'vnp-net', family: 'ipv4', key: 'mac:52:54:00:00:00:01', ip: '192.0.2.10' },
    })
    await db.portForward.create({
      data: {
        hostId: host.id,
        guestName: 'vnp-guest',
        guestUuid: '00000000-0000-0000-0000-000000000001',
        network: 'vnp-net',
        bridge: 'virbr9',
        subnet: '192.0.2.0/24',
        guestMac: '52:54:00:00:00:01',
        guestIp: '192.0.2.10',
        protocol: 'tcp',
        hostPortStart: 8080,
        hostPortEnd: 8080,
        guestPortStart: 80,
        guestPortEnd: 80,
        ownerName: 'vnp-old-admin',
      },
    })
    await db.selfServiceLimit.create({ data: { userId: admin.id, portMin: 8000, portMax: 8100, maxForwards: 2 } })
    await db.selfServiceGuest.create({
      data: {
        userId: admin.id,
        hostId: host.id,
        guestName: 'vnp-guest',
        guestUuid: '00000000-0000-0000-0000-000000000001',
      },
    })
    // The first sealed record follows the old unsealed ones, and the whole chain still verifies.
    await recordAudit({ actor: { id: admin.id, username: admin.username }, action: 'itest.upgrade', result: 'success' })
    expect(await verifyAuditChain()).toMatchObject({ ok: true, checked: 3, sealed: 1 })
  })
})
