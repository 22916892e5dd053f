import 'server-only'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { besideKey } from '@/lib/audit/seal'

/*
 * Anchors of the chain kept outside the database, beside the seal key and sealed with it (docs/decisions: audit tip
 * checkpoint). The chain alone shows an edited or removed record in the middle, but not records cut off its end: what
 * is left still verifies. Two small files per database:
 *
 * - `tip`: the newest record appended (id and hash), rewritten after every append. Verification reports the records
 *   missing when the database no longer reaches it.
 * - `verified`: the newest record up to which the whole chain was verified, so the audit page checks only what came
 *   after it (and that this record is still the one that was verified).
 *
 * Each file is written to a temporary name and renamed over the old one, so a reader sees the old or the new
 * checkpoint, never half of one. The HMAC covers the kind, so a `verified` file cannot stand in for a `tip`.
 */

export type CheckpointKind = 'tip' | 'verified'
export type Checkpoint = { id: number; hash: string; at: string; records?: number; sealed?: number }
/** `checkpoint` null: none written yet (a fresh install, or a log from before checkpoints). */
export type CheckpointRead = { checkpoint: Checkpoint | null; problem: string | null }

export const checkpointPath = (kind: CheckpointKind) => besideKey(kind)

function macOf(key: Buffer, kind: CheckpointKind, checkpoint: Checkpoint): string {
  const { id, hash, at, records = null, sealed = null } = checkpoint
  return createHmac('sha256', key)
    .update(JSON.stringify([`virtnet-audit-${kind}`, id, hash, at, records, sealed]))
    .digest('hex')
}

export function readCheckpoint(kind: CheckpointKind, key: Buffer): CheckpointRead {
  const file = checkpointPath(kind)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoint: null, problem: null }
    throw error
  }
  const edited = { checkpoint: null, problem: `the ${kind} checkpoint ${file} was edited or not sealed with this key` }
  try {
    const { mac, ...checkpoint } = JSON.parse(text) as Checkpoint & { mac: string }
    if (!Number.isSafeInteger(checkpoint.id) || typeof checkpoint.hash !== 'string' || typeof mac !== 'string')
      return edited
    const expected = Buffer.from(macOf(key, kind, checkpoint), 'hex')
    const actual = Buffer.from(mac, 'hex')
    return actual.length === expected.length && timingSafeEqual(actual, expected)
      ? { checkpoint, problem: null }
      : edited
  } catch {
    return edited
  }
}

/** Writes the checkpoint atomically: a temporary file beside it, flushed, then renamed over the old one. */
export function writeCheckpoint(kind: CheckpointKind, key: Buffer, checkpoint: Checkpoint): void {
  const file = checkpointPath(kind)
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const fd = fs.openSync(temporary, 'wx', 0o600)
  try {
    fs.writeSync(fd, `${JSON.stringify({ ...checkpoint, mac: macOf(key, kind, checkpoint) })}\n`)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  try {
    fs.renameSync(temporary, file)
  } catch (error) {
    fs.rmSync(temporary, { force: true })
    throw error
  }
}
