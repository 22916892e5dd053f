// `npm run restore -- BACKUP_DIR [--force]` (installed: `virtnet-admin restore BACKUP_DIR`): puts a backup written
// by `npm run backup` back into this installation's data directory (VIRTNET_DATA_DIR / DATABASE_URL), with the
// dashboard's SSH key. Stop the dashboard first. It refuses to replace an existing database or key unless --force
// (the old ones are then kept beside, *.before-restore-<time>), and it refuses when the audit seal key here is not
// the one the backup's records were sealed with: that key is never in a backup, so put your separate copy back first.
// Then it checks the restored audit chain. Migrations newer than the backup run at the service's next start.
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { databaseFile } from '@/lib/db/url'
import { auditKeyPath, sshKeyPath } from '@/lib/config/paths'
import { currentSealKey, noteFirstSealed } from '@/lib/audit/seal'
import { backupFormat, sha256Of, type BackupManifest } from './backup-manifest'

const force = process.argv.includes('--force')
const stamp = new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z')

function readManifest(folder: string): BackupManifest {
  const file = path.join(folder, 'manifest.json')
  if (!fs.existsSync(file)) throw new Error(`${folder} is not a Virtnet backup (no manifest.json).`)
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest
  if (manifest.format !== backupFormat)
    throw new Error(`${folder} has backup format ${manifest.format}; this version reads ${backupFormat}.`)
  for (const [name, sum] of Object.entries(manifest.sha256))
    if (sha256Of(path.join(folder, name)) !== sum)
      throw new Error(`${name} in ${folder} does not match its checksum in manifest.json: the backup is damaged.`)
  return manifest
}

/** An existing file is replaced only with --force, and then kept beside under another name. */
function makeRoomFor(file: string, what: string) {
  const present = [file, `${file}-wal`, `${file}-shm`].filter((candidate) => fs.existsSync(candidate))
  if (!present.length) return
  if (!force) throw new Error(`${what} ${file} exists. Stop the dashboard and pass --force to replace it.`)
  for (const candidate of present) {
    const kept = candidate.replace(path.basename(file), `${path.basename(file)}.before-restore-${stamp}`)
    fs.renameSync(candidate, kept)
    console.log(`Kept the previous ${path.basename(candidate)} as ${kept}`)
  }
}

function checkSealKey(manifest: BackupManifest) {
  if (!manifest.sealKey) return
  const here = currentSealKey()
  if (here?.fingerprint === manifest.sealKey.fingerprint) return
  const problem = here
    ? `the audit seal key at ${auditKeyPath} (fingerprint ${here.fingerprint}) is not the one`
    : `there is no audit seal key at ${auditKeyPath}, and the one`
  throw new Error(
    `Not restored: ${problem} this backup's records were sealed with (fingerprint ${manifest.sealKey.fingerprint}). ` +
      'A backup never holds that key: put your separate copy of it at VIRTNET_AUDIT_KEY_FILE first.',
  )
}

async function main() {
  const folder = process.argv.slice(2).find((arg) => !arg.startsWith('--'))
  if (!folder) throw new Error('Usage: npm run restore -- BACKUP_DIR [--force]')
  const manifest = readManifest(path.resolve(folder))
  checkSealKey(manifest)

  const target = databaseFile()
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 })
  makeRoomFor(target, 'A database')
  const incoming = `${target}.restoring`
  fs.copyFileSync(path.join(folder, 'virtnet.db'), incoming)
  fs.chmodSync(incoming, 0o600)
  const db = new Database(incoming)
  try {
    db.pragma('journal_mode = WAL')
  } finally {
    db.close()
  }
  fs.renameSync(incoming, target)
  console.log(`Restored the database (${manifest.auditRecords} audit records) to ${target}`)

  if (manifest.sha256['ssh/id_ed25519']) {
    makeRoomFor(sshKeyPath, 'An SSH key')
    fs.mkdirSync(path.dirname(sshKeyPath), { recursive: true, mode: 0o700 })
    fs.copyFileSync(path.join(folder, 'ssh', 'id_ed25519'), sshKeyPath)
    fs.chmodSync(sshKeyPath, 0o600)
    if (manifest.sha256['ssh/id_ed25519.pub']) {
      if (fs.existsSync(`${sshKeyPath}.pub`))
        fs.renameSync(`${sshKeyPath}.pub`, `${sshKeyPath}.pub.before-restore-${stamp}`)
      fs.copyFileSync(path.join(folder, 'ssh', 'id_ed25519.pub'), `${sshKeyPath}.pub`)
    }
    console.log(`Restored the dashboard's SSH key to ${sshKeyPath}`)
  }

  // The marker of the first sealed record is kept per database path beside the key: a restore to another path needs
  // its own, or a record whose seal was stripped would pass and the next append would claim sealing began there.
  if (manifest.sealKey?.sealedFrom) noteFirstSealed(manifest.sealKey.sealedFrom)

  const { verifyAuditChain } = await import('@/lib/audit/verify')
  const status = await verifyAuditChain()
  if (!status.ok)
    throw new Error(`The restored audit chain is broken at record #${status.broken?.id}: ${status.broken?.reason}`)
  console.log(`Audit chain OK: ${status.checked} records, ${status.sealed} seals checked.`)
  console.log('Start the dashboard: migrations newer than the backup run at its start.')
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.message)
    process.exit(1)
  },
)
