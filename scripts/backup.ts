// `npm run backup -- PARENT_DIR` (installed: `virtnet-admin backup PARENT_DIR`): a consistent copy of the database,
// taken while the dashboard runs, and the dashboard's SSH key, in a new folder virtnet-backup-<time> (mode 0700).
// Never the audit seal key: whoever holds a database copy and that key could rewrite the audit log unnoticed, so the
// key is kept and backed up apart (docs/operating.md). The manifest names the key's fingerprint so a restore can tell
// whether the key beside it is the right one. `npm run restore` puts a backup back.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { databaseFile } from '@/lib/db/url'
import { sshKeyPath } from '@/lib/config/paths'
import { currentSealKey } from '@/lib/audit/seal'
import { backupFormat, describeDatabase, sha256Of, type BackupManifest } from './backup-manifest'

async function main() {
  const parent = process.argv[2]
  if (!parent) throw new Error('Usage: npm run backup -- PARENT_DIR (the backup goes in a new folder inside it)')
  const source = databaseFile()
  if (!fs.existsSync(source)) throw new Error(`There is no database at ${source} to back up.`)
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  const folder = path.resolve(parent, `virtnet-backup-${stamp}`)
  fs.mkdirSync(parent, { recursive: true, mode: 0o700 })
  fs.mkdirSync(folder, { mode: 0o700 })

  // SQLite's online backup: a page-by-page copy of one consistent state, while the dashboard keeps writing (a write
  // from another connection between two steps restarts the copy, so after the first step the rest goes in one).
  const copy = path.join(folder, 'virtnet.db')
  const live = new Database(source, { fileMustExist: true, timeout: 10_000 })
  try {
    await live.backup(copy, { progress: ({ totalPages }) => Math.max(totalPages, 100) })
  } finally {
    live.close()
  }
  const copied = new Database(copy)
  try {
    const check = copied.pragma('integrity_check', { simple: true })
    if (check !== 'ok') throw new Error(`The copy at ${copy} fails SQLite's integrity check: ${String(check)}`)
    // One self-contained file: no -wal beside it.
    copied.pragma('journal_mode = DELETE')
  } finally {
    copied.close()
  }
  fs.chmodSync(copy, 0o600)

  const files = ['virtnet.db']
  if (fs.existsSync(sshKeyPath)) {
    fs.mkdirSync(path.join(folder, 'ssh'), { mode: 0o700 })
    fs.copyFileSync(sshKeyPath, path.join(folder, 'ssh', 'id_ed25519'))
    fs.chmodSync(path.join(folder, 'ssh', 'id_ed25519'), 0o600)
    files.push('ssh/id_ed25519')
    if (fs.existsSync(`${sshKeyPath}.pub`)) {
      fs.copyFileSync(`${sshKeyPath}.pub`, path.join(folder, 'ssh', 'id_ed25519.pub'))
      fs.chmodSync(path.join(folder, 'ssh', 'id_ed25519.pub'), 0o600)
      files.push('ssh/id_ed25519.pub')
    }
  }
  const seal = currentSealKey()
  const manifest: BackupManifest = {
    format: backupFormat,
    createdAt: new Date().toISOString(),
    source: { database: source, sshKey: sshKeyPath },
    ...describeDatabase(copy),
    sealKey: seal ? { fingerprint: seal.fingerprint, sealedFrom: seal.sealedFrom } : null,
    sha256: Object.fromEntries(files.map((file) => [file, sha256Of(path.join(folder, file))])),
  }
  fs.writeFileSync(path.join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 })
  console.log(
    `Backed up ${manifest.auditRecords} audit records, ${manifest.migrations.length} migrations${files.length > 1 ? ' and the SSH key' : ''} to ${folder}`,
  )
  console.log('The audit seal key is not in it: keep your separate copy of it.')
}

main().catch((error: Error) => {
  console.error(error.message)
  process.exit(1)
})
