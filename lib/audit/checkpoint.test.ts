import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

// The checkpoint files live beside the seal key: a key file in a folder of this test's own.
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'vna-checkpoint-'))
let checkpoints: typeof import('./checkpoint')
const key = Buffer.alloc(32, 9)

beforeAll(async () => {
  vi.stubEnv('VIRTNET_AUDIT_KEY_FILE', path.join(folder, 'seal.key'))
  vi.stubEnv('DATABASE_URL', `file:${path.join(folder, 'virtnet.db')}`)
  checkpoints = await import('./checkpoint')
})

// Each test starts with no checkpoint at all: tests run shuffled, and one's checkpoint would be the other's start.
beforeEach(() => {
  for (const kind of ['tip', 'verified'] as const) fs.rmSync(checkpoints.checkpointPath(kind), { force: true })
})

afterAll(() => {
  vi.unstubAllEnvs()
  fs.rmSync(folder, { recursive: true, force: true })
})

const tip = { id: 41, hash: 'a'.repeat(64), at: '2026-11-30T12:00:00.000Z' }

describe('audit checkpoints beside the seal key', () => {
  it('read back what was written, sealed, with no temporary file left', () => {
    expect(checkpoints.readCheckpoint('tip', key)).toEqual({ checkpoint: null, problem: null })
    checkpoints.writeCheckpoint('tip', key, tip)
    checkpoints.writeCheckpoint('tip', key, { ...tip, id: 42 })
    expect(checkpoints.readCheckpoint('tip', key)).toEqual({ checkpoint: { ...tip, id: 42 }, problem: null })
    expect(fs.readdirSync(folder)).toEqual([path.basename(checkpoints.checkpointPath('tip'))])
    expect(fs.statSync(checkpoints.checkpointPath('tip')).mode & 0o777).toBe(0o600)
  })

  it('refuse a checkpoint edited, sealed under another key, or of the other kind', () => {
    checkpoints.writeCheckpoint('tip', key, tip)
    const file = checkpoints.checkpointPath('tip')
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
    const edited = expect.stringContaining('was edited or not sealed with this key')

    fs.writeFileSync(file, JSON.stringify({ ...written, id: 40 }))
    expect(checkpoints.readCheckpoint('tip', key)).toEqual({ checkpoint: null, problem: edited })
    fs.writeFileSync(file, 'not json')
    expect(checkpoints.readCheckpoint('tip', key)).toEqual({ checkpoint: null, problem: edited })

    checkpoints.writeCheckpoint('tip', key, tip)
    expect(checkpoints.readCheckpoint('tip', Buffer.alloc(32, 1)).problem).toEqual(edited)

    checkpoints.writeCheckpoint('verified', key, tip)
    fs.copyFileSync(checkpoints.checkpointPath('verified'), file)
    expect(checkpoints.readCheckpoint('tip', key).problem).toEqual(edited)
  })
})
