import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { isSha256Fingerprint, normalizeFingerprint, sshFingerprint, sshKeyType } from './fingerprint'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtnet-fp-'))

function generate(type: string, bits?: number): { blob: Buffer; keygenFingerprint: string; keygenType: string } {
  const file = path.join(dir, `key_${type}_${bits ?? 0}`)
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(bits ? ['-b', String(bits)] : []),
    '-N',
    '',
    '-C',
    'test',
    '-f',
    file,
  ])
  const [keyType, b64] = fs.readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/)
  // e.g. "256 SHA256:abc... test (ED25519)"
  const printed = execFileSync('ssh-keygen', ['-lf', `${file}.pub`])
    .toString()
    .trim()
    .split(/\s+/)
  return { blob: Buffer.from(b64 ?? '', 'base64'), keygenFingerprint: printed[1] ?? '', keygenType: keyType ?? '' }
}

// ssh-keygen (openssh-client) is one of the packages every machine that runs the suites has (.ci/run): no skip.
describe('sshFingerprint matches ssh-keygen -lf', () => {
  for (const [type, bits] of [['ed25519'], ['rsa', 2048], ['ecdsa', 256], ['ecdsa', 521]] as const) {
    it(`${type}${bits ? ` ${bits}` : ''}`, () => {
      const { blob, keygenFingerprint, keygenType } = generate(type, bits)
      expect(sshFingerprint(blob)).toBe(keygenFingerprint)
      expect(sshKeyType(blob)).toBe(keygenType)
      expect(isSha256Fingerprint(keygenFingerprint)).toBe(true)
    })
  }
})

describe('fingerprint helpers', () => {
  it('formats a known key exactly like ssh-keygen -lf', () => {
    // `ssh-keygen -lf` of "ssh-ed25519 AAAAC3Nza...u3pe" printed: 256 SHA256:PtEgOD64Dd3DdpVYsU/W9yxjCCgfdvFSPbhq7C5d9zk (ED25519)
    const blob = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIB9EflqzUnEp2rMxGumFtPuRuaFfvBxNUOgMsFjBu3pe', 'base64')
    expect(sshFingerprint(blob)).toBe('SHA256:PtEgOD64Dd3DdpVYsU/W9yxjCCgfdvFSPbhq7C5d9zk')
    expect(sshKeyType(blob)).toBe('ssh-ed25519')
  })

  it('normalizes operator input', () => {
    const fp = 'SHA256:PtEgOD64Dd3DdpVYsU/W9yxjCCgfdvFSPbhq7C5d9zk'
    expect(normalizeFingerprint(`  ${fp}  `)).toBe(fp)
    expect(normalizeFingerprint(`sha256:${fp.slice(7)}=`)).toBe(fp)
    expect(normalizeFingerprint(fp.slice(7))).toBe(fp)
    expect(isSha256Fingerprint('MD5:aa:bb')).toBe(false)
  })

  it('survives garbage blobs', () => {
    expect(sshKeyType(Buffer.alloc(0))).toBe('unknown')
    expect(sshKeyType(Buffer.from([0, 0, 1, 0, 1]))).toBe('unknown')
  })
})
