import 'server-only'
import fs from 'node:fs'
import path from 'node:path'
import ssh2 from 'ssh2'
import { sshKeyPath } from '@/lib/config/paths'
import { sshFingerprint } from './fingerprint'

export type DashboardIdentity = { privateKey: string; publicKey: string; fingerprint: string; keyPath: string }

// The key in use is read again whenever its file changed (another inode or mtime): a rotation renames a new key into
// place, and every bundle of the server (Next keeps several module instances of this file) sees it on its next
// connection without being told.
let cached: { identity: DashboardIdentity; ino: number; mtimeMs: number } | undefined

/** Writes a fresh ed25519 pair (OpenSSH format, like ssh-keygen's) at `keyPath` unless a key is already there. */
function createKeyPair(keyPath: string): void {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'virtnet-dashboard' })
  fs.mkdirSync(path.dirname(keyPath), { recursive: true, mode: 0o700 })
  // 'wx' so two processes starting at once cannot overwrite each other's fresh key.
  try {
    fs.writeFileSync(keyPath, pair.private, { mode: 0o600, flag: 'wx' })
    fs.writeFileSync(`${keyPath}.pub`, `${pair.public}\n`, { mode: 0o644 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}

function readIdentity(keyPath: string): DashboardIdentity {
  const privateKey = fs.readFileSync(keyPath, 'utf8')
  const parsed = ssh2.utils.parseKey(privateKey)
  if (parsed instanceof Error) throw new Error(`The dashboard SSH key at ${keyPath} cannot be read: ${parsed.message}`)
  const blob = parsed.getPublicSSH()
  const publicKey = `${parsed.type} ${blob.toString('base64')} virtnet-dashboard`
  return { privateKey, publicKey, fingerprint: sshFingerprint(blob), keyPath }
}

/** The dashboard's own SSH key pair, created on first use. */
export function dashboardIdentity(): DashboardIdentity {
  if (!fs.existsSync(sshKeyPath)) createKeyPair(sshKeyPath)
  const stat = fs.statSync(sshKeyPath)
  if (cached && cached.ino === stat.ino && cached.mtimeMs === stat.mtimeMs) return cached.identity
  cached = { identity: readIdentity(sshKeyPath), ino: stat.ino, mtimeMs: stat.mtimeMs }
  return cached.identity
}

// Rotating the key: a new pair waits beside the one in use (`<key>.next`) while the operator authorizes it on every
// host; once every host accepts it, the key in use is retired (renamed `<key>.retired-<time>`, kept for a way back)
// and the new one renamed into its place.

const nextKeyPath = () => `${sshKeyPath}.next`

/** The new key waiting to replace the one in use, if one was generated. */
export function pendingIdentity(): DashboardIdentity | null {
  return fs.existsSync(nextKeyPath()) ? readIdentity(nextKeyPath()) : null
}

/** Generates the new key (or keeps the one already waiting, so the key shown for authorizing stays the same). */
export function createPendingIdentity(): DashboardIdentity {
  createKeyPair(nextKeyPath())
  return readIdentity(nextKeyPath())
}

export function discardPendingIdentity(): void {
  for (const file of [nextKeyPath(), `${nextKeyPath()}.pub`]) fs.rmSync(file, { force: true })
}

/**
 * Puts the waiting key in use and retires the old one; returns where the old key now lies. Renames on one file
 * system, so a crash leaves either the old key or the new one in place, never none.
 */
export function promotePendingIdentity(): { retiredKeyPath: string } {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const retiredKeyPath = `${sshKeyPath}.retired-${stamp}`
  fs.linkSync(sshKeyPath, retiredKeyPath)
  if (fs.existsSync(`${sshKeyPath}.pub`)) fs.renameSync(`${sshKeyPath}.pub`, `${retiredKeyPath}.pub`)
  fs.renameSync(nextKeyPath(), sshKeyPath)
  fs.renameSync(`${nextKeyPath()}.pub`, `${sshKeyPath}.pub`)
  return { retiredKeyPath }
}
