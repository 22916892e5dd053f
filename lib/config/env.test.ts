import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InvalidEnvironmentError, validateEnv } from './env'

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'vnp-env-'))
const dataDir = path.join(temp, 'data')
const keyDir = path.join(temp, 'audit')
fs.mkdirSync(dataDir)
fs.mkdirSync(keyDir)
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }))

const service = {
  VIRTNET_DATA_DIR: dataDir,
  VIRTNET_AUDIT_KEY_FILE: path.join(keyDir, 'seal.key'),
  PORT: '3000',
  VIRTNET_LISTEN_ADDRESS: '127.0.0.1',
}

function problems(env: Record<string, string | undefined>, options = {}): string[] {
  try {
    validateEnv(options, env)
    return []
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems
    throw error
  }
}

describe('environment validation', () => {
  it('accepts an empty environment (the demo runs on the defaults) and a complete service environment', () => {
    expect(problems({})).toEqual([])
    expect(problems(service, { service: true })).toEqual([])
  })

  it('names every malformed variable in words, all at once', () => {
    expect(
      problems({
        DATABASE_URL: 'mysql://db',
        PORT: '70000',
        VIRTNET_SSH_KEY: 'keys/id',
        VIRTNET_SECURE_COOKIES: 'yes',
      }),
    ).toEqual([
      'DATABASE_URL must be a SQLite file URL (file:/path/to/virtnet.db) or a PostgreSQL URL (postgresql://user:password@host/database)',
      'VIRTNET_SSH_KEY must be an absolute path (a relative one would depend on the directory the service starts in)',
      'VIRTNET_SECURE_COOKIES must be 0 or 1',
      'PORT must be a TCP port number between 1 and 65535',
    ])
    expect(problems({ PORT: 'http' })).toEqual(['PORT must be a TCP port number between 1 and 65535'])
  })

  it('accepts a PostgreSQL server for several replicas, which no data directory has to hold', () => {
    for (const url of ['postgres://virtnet:secret@db.example/virtnet', 'postgresql://db/virtnet?schema=team'])
      expect(problems({ ...service, DATABASE_URL: url }, { service: true })).toEqual([])
  })

  it('requires what the service needs, and checks its folders', () => {
    expect(problems({}, { service: true })).toEqual([
      'VIRTNET_DATA_DIR is not set; the service needs it in its environment file',
      'VIRTNET_AUDIT_KEY_FILE is not set; the service needs it in its environment file',
      'PORT is not set; the service needs it in its environment file',
      'VIRTNET_LISTEN_ADDRESS is not set; the service needs it in its environment file',
    ])
    expect(problems({ ...service, VIRTNET_DATA_DIR: path.join(temp, 'missing') }, { service: true })).toEqual([
      `VIRTNET_DATA_DIR (${path.join(temp, 'missing')}) does not exist; the install script creates it (scripts/install-production.sh)`,
    ])
  })

  it('refuses a seal key inside the data directory and a database outside it', () => {
    expect(
      problems(
        { ...service, VIRTNET_AUDIT_KEY_FILE: path.join(dataDir, 'seal.key'), DATABASE_URL: `file:${temp}/other.db` },
        { service: true },
      ),
    ).toEqual([
      `VIRTNET_AUDIT_KEY_FILE (${path.join(dataDir, 'seal.key')}) is inside VIRTNET_DATA_DIR (${dataDir}); keep the audit seal key apart from the data it seals (for example /var/lib/virtnet-audit/seal.key)`,
      `DATABASE_URL (file:${temp}/other.db) is outside VIRTNET_DATA_DIR (${dataDir}), the one writable folder`,
    ])
  })
})
