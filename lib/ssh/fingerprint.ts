import 'server-only'
import { createHash } from 'node:crypto'

/**
 * OpenSSH fingerprint of a raw public key blob (the SSH wire encoding, i.e. the base64 part of a
 * `.pub` line): `SHA256:` + unpadded base64 of its SHA-256, exactly what `ssh-keygen -lf` prints.
 */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

/** The key type named inside a raw public key blob, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
export function sshKeyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown'
  const length = keyBlob.readUInt32BE(0)
  if (length === 0 || length > 64 || 4 + length > keyBlob.length) return 'unknown'
  return keyBlob.subarray(4, 4 + length).toString('latin1')
}

/**
 * Canonical form of an operator-supplied fingerprint, for comparison: trimmed, `SHA256:` prefix
 * (accepted case-insensitively or missing), base64 padding removed. The base64 body is case-sensitive.
 */
export function normalizeFingerprint(fingerprint: string): string {
  let body = fingerprint.trim()
  if (/^sha256:/i.test(body)) body = body.slice('sha256:'.length)
  return `SHA256:${body.replace(/=+$/, '')}`
}

/** Whether a string looks like an OpenSSH SHA-256 fingerprint (43 base64 chars). */
export function isSha256Fingerprint(fingerprint: string): boolean {
  return /^SHA256:[A-Za-z0-9+/]{43}$/.test(normalizeFingerprint(fingerprint))
}
