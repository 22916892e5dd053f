import 'server-only'
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { sealKeyForWriting } from '@/lib/audit/seal'

/*
 * Secrets Virtnet must read back (a user's TOTP secret) are kept encrypted in the database with AES-256-GCM under a
 * key derived from the audit seal key, which lives outside the database and outside backups (docs/operating.md, "The
 * audit seal key"). A copy of the database alone then does not hand over anyone's second factor. The user's id is the
 * associated data, so a sealed secret moved to another user's row does not open.
 */

const version = 'v1'

function boxKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sealKeyForWriting().key, Buffer.alloc(0), `virtnet ${purpose}`, 32))
}

export function sealSecret(purpose: string, owner: string, secret: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', boxKey(purpose), iv)
  cipher.setAAD(Buffer.from(owner))
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
  return [version, iv, cipher.getAuthTag(), sealed]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/** The secret, or an error when the box was made under another key, for another owner, or was altered. */
export function openSecret(purpose: string, owner: string, box: string): string {
  const [boxVersion, iv, tag, sealed] = box.split('.')
  if (boxVersion !== version || !iv || !tag || !sealed) throw new Error('A sealed secret has an unknown format.')
  const decipher = createDecipheriv('aes-256-gcm', boxKey(purpose), Buffer.from(iv, 'base64url'))
  decipher.setAAD(Buffer.from(owner))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8')
}
