import 'server-only'
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { auditKeyPath } from '@/lib/config/paths'
import { databaseFile } from '@/lib/db/url'

/*
 * The hash chain shows edits, removals and reordering, but whoever can write the database can also recompute every
 * hash after the record they changed. Each record's hash is therefore sealed with an HMAC under a key kept outside the
 * database (VIRTNET_AUDIT_KEY_FILE, default data/audit/seal.key, mode 600): rewriting the chain then needs the key too.
 * Beside the key, one `sealed-from-…` file per database holds the id of its first sealed record, so stripping seals is
 * caught as well; records before it date from before sealing was switched on.
 */

export type SealKey = { key: Buffer; fingerprint: string; sealedFrom: number | null }

/** A file beside the seal key that belongs to this database (one database path, one set of files). */
export const besideKey = (name: string) =>
  path.join(
    // Not a folder for the build to trace: it is the data folder (a lab host's whole root file system under it).
    /*turbopackIgnore: true*/ path.dirname(auditKeyPath),
    `${name}-${createHash('sha256').update(databaseFile()).digest('hex').slice(0, 12)}`,
  )

const sealedFromPath = () => besideKey('sealed-from')

/** The files beside the key that describe this database's log; a database created anew at the same path drops them. */
export const filesOfThisDatabase = () => [sealedFromPath(), besideKey('tip'), besideKey('verified')]

// Every audit append needs the key: read the files once per process. Neither changes once written ('wx').
const cache = globalThis as unknown as { virtnetSealKey?: SealKey }

function readKey(): Buffer | null {
  try {
    const key = Buffer.from(fs.readFileSync(auditKeyPath, 'utf8').trim(), 'hex')
    if (key.length < 32) throw new Error(`The audit seal key ${auditKeyPath} is shorter than 32 bytes (64 hex digits).`)
    return key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

function describe(key: Buffer): SealKey {
  const sealedFrom = fs.existsSync(sealedFromPath())
    ? Number(fs.readFileSync(sealedFromPath(), 'utf8').trim()) || null
    : null
  const described = { key, fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 16), sealedFrom }
  if (sealedFrom !== null) cache.virtnetSealKey = described
  return described
}

/** The key for verification; null when this installation has never sealed a record. */
export function currentSealKey(): SealKey | null {
  if (cache.virtnetSealKey) return cache.virtnetSealKey
  const key = readKey()
  return key && describe(key)
}

/** The key for appending: created (mode 600, exclusively, so two processes cannot both create one) on first use. */
export function sealKeyForWriting(): SealKey {
  if (cache.virtnetSealKey) return cache.virtnetSealKey
  const existing = readKey()
  if (existing) return describe(existing)
  fs.mkdirSync(/*turbopackIgnore: true*/ path.dirname(auditKeyPath), { recursive: true, mode: 0o700 })
  try {
    fs.writeFileSync(auditKeyPath, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  return describe(readKey()!)
}

/** Written once, with the id of the first record sealed under this key. */
export function noteFirstSealed(id: number): void {
  try {
    fs.writeFileSync(sealedFromPath(), `${id}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}

export function sealOf(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex')
}

export function sealMatches(key: Buffer, hash: string, seal: string): boolean {
  const expected = Buffer.from(sealOf(key, hash), 'hex')
  const actual = Buffer.from(seal, 'hex')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
