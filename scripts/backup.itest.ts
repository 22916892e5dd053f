// `npm run backup` while a dashboard keeps writing, then `npm run restore` into a fresh data directory: the copy is
// consistent (its audit chain verifies, seals included), carries the SSH key and never the seal key, and the
// dashboard starts on it. Everything lives in a temporary folder; no host is touched.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackupManifest } from './backup-manifest'

const root = path.resolve(import.meta.dirname, '..')
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'vnp-backup-'))
const sealKeyFile = path.join(temp, 'audit', 'seal.key')

/** The process environment without the integration suite's database, plus this test's paths. */
function envWith(paths: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...paths }
  delete env.DATABASE_URL
  return env
}
const liveEnv = envWith({ VIRTNET_DATA_DIR: path.join(temp, 'live'), VIRTNET_AUDIT_KEY_FILE: sealKeyFile })
const restoredEnv = envWith({ VIRTNET_DATA_DIR: path.join(temp, 'restored'), VIRTNET_AUDIT_KEY_FILE: sealKeyFile })

type Run = { code: number | null; stdout: string; stderr: string }

function tsx(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['--conditions=react-server', '--import', 'tsx', script, ...args], { cwd: root, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
}

describe('backup while the dashboard writes, restore into a fresh data directory', () => {
  let writer: ChildProcess | undefined
  let written = 0
  let writerErrors = ''
  let backup: Run
  let writtenBeforeBackup = 0
  let writtenAfterBackup = 0
  let backupFolder = ''
  let manifest: BackupManifest
  let publicKey = ''

  beforeAll(async () => {
    const migrated = await tsx('scripts/db/migrate.ts', [], liveEnv)
    expect(migrated.stderr).toBe('')
    publicKey = (await tsx('scripts/ssh-identity.ts', [], liveEnv)).stdout.trim()
    expect(publicKey).toMatch(/^ssh-ed25519 /)

    writer = spawn('node', ['--conditions=react-server', '--import', 'tsx', 'lib/test/audit-writer-child.ts'], {
      cwd: root,
      env: liveEnv,
    })
    writer.stdout!.on('data', (chunk: Buffer) => {
      const counts = chunk.toString().match(/^\d+$/gm)
      if (counts) written = Number(counts[counts.length - 1])
    })
    writer.stderr!.on('data', (chunk: Buffer) => (writerErrors += chunk.toString()))
    await waitFor('the writer to append 30 records', () => written >= 30)

    writtenBeforeBackup = written
    backup = await tsx('scripts/backup.ts', [path.join(temp, 'backups')], liveEnv)
    writtenAfterBackup = written
    // The writer was never held up: it goes on appending after the backup.
    await waitFor('the writer to append 20 more records', () => written >= writtenAfterBackup + 20)
    writer.kill('SIGTERM')
    await new Promise((resolve) => writer!.once('close', resolve))

    backupFolder = path.join(temp, 'backups', fs.readdirSync(path.join(temp, 'backups'))[0]!)
    manifest = JSON.parse(fs.readFileSync(path.join(backupFolder, 'manifest.json'), 'utf8')) as BackupManifest
  }, 240_000)

  afterAll(() => {
    if (writer && writer.exitCode === null) writer.kill('SIGKILL')
    fs.rmSync(temp, { recursive: true, force: true })
  })

  it('copies one consistent state taken during the writes, with the SSH key and without the seal key', () => {
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    expect(writerErrors).toBe('')
    expect(manifest.auditRecords).toBeGreaterThanOrEqual(writtenBeforeBackup)
    expect(manifest.auditRecords).toBeLessThanOrEqual(writtenAfterBackup + 1)
    expect(manifest.migrations).toEqual(
      fs
        .readdirSync(path.join(root, 'prisma', 'migrations'))
        .filter((name) => /^\d+_/.test(name))
        .sort(),
    )
    expect(manifest.sealKey?.sealedFrom).toBe(1)
    const files = filesUnder(backupFolder)
      .map((file) => path.relative(backupFolder, file))
      .sort()
    expect(files).toEqual(['manifest.json', 'ssh/id_ed25519', 'ssh/id_ed25519.pub', 'virtnet.db'])
    const sealKey = fs.readFileSync(sealKeyFile, 'utf8').trim()
    for (const file of filesUnder(backupFolder)) {
      expect(fs.readFileSync(file).includes(sealKey), file).toBe(false)
      expect(fs.statSync(file).mode & 0o077, file).toBe(0)
    }
    expect(fs.statSync(backupFolder).mode & 0o777).toBe(0o700)
  })

  // One test, in order: tests may run shuffled, and each step needs the one before.
  it('restores into a fresh data directory only with the seal key: the chain and its seals verify and the dashboard starts', async () => {
    const withoutKey = { ...restoredEnv, VIRTNET_AUDIT_KEY_FILE: path.join(temp, 'elsewhere', 'seal.key') }
    const refused = await tsx('scripts/restore.ts', [backupFolder], withoutKey)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`there is no audit seal key at ${path.join(temp, 'elsewhere', 'seal.key')}`)
    expect(refused.stderr).toContain(manifest.sealKey!.fingerprint)
    expect(fs.existsSync(path.join(temp, 'restored', 'virtnet.db'))).toBe(false)

    const restored = await tsx('scripts/restore.ts', [backupFolder], restoredEnv)
    expect(restored.stderr).toBe('')
    expect(restored.stdout).toContain(
      `Audit chain OK: ${manifest.auditRecords} records, ${manifest.auditRecords} seals checked.`,
    )
    expect(restored.code).toBe(0)
    // The restored database has its own note of the first sealed record, beside the key: without it a stripped seal
    // would pass, and the next append would claim that sealing began there.
    const markers = fs.readdirSync(path.dirname(sealKeyFile)).filter((name) => name.startsWith('sealed-from-'))
    expect(markers.map((name) => fs.readFileSync(path.join(path.dirname(sealKeyFile), name), 'utf8'))).toEqual([
      '1\n',
      '1\n',
    ])

    const verified = await tsx('scripts/audit-verify.ts', [], restoredEnv)
    expect(verified.stdout).toContain(`OK: ${manifest.auditRecords} records chained, ${manifest.auditRecords} sealed`)
    expect(verified.code).toBe(0)

    const booted = await tsx('lib/test/boot-child.ts', [], restoredEnv)
    expect(booted.code).toBe(0)
    const seen = JSON.parse(booted.stdout.trim().split('\n').pop()!) as {
      publicKey: string
      chain: { ok: boolean; checked: number; sealed: number }
      users: Array<{ username: string }>
    }
    // The restored key, not a new one: the hosts that authorized it still let the dashboard in.
    expect(seen.publicKey).toBe(publicKey)
    // Boot appended the first admin's record after the restored ones; every record carries a valid seal.
    expect(seen.users).toEqual([{ username: 'admin', role: 'admin' }])
    expect(seen.chain).toMatchObject({
      ok: true,
      checked: manifest.auditRecords + 1,
      sealed: manifest.auditRecords + 1,
    })

    // The service's database is there now: a second restore refuses to replace it without --force.
    const again = await tsx('scripts/restore.ts', [backupFolder], restoredEnv)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('A database')
    expect(again.stderr).toContain('pass --force to replace it')
  })
})
