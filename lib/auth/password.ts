import 'server-only'
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: object,
) => Promise<Buffer>

// scrypt is memory-hard: N=2^17, r=8 needs 128 MiB per guess, which is what makes offline guessing expensive
// (OWASP's password storage guidance). A hash made with other parameters is replaced at the next log-in.
export const scryptParams = { N: 2 ** 17, r: 8, p: 1 }
const params = scryptParams
const keyLength = 32
// Node refuses scrypt above maxmem; 128 * N * r bytes plus its working space.
const maxmem = 256 * 1024 * 1024

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scrypt(password, salt, keyLength, { ...params, maxmem })
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem,
  })
  return timingSafeEqual(expected, actual)
}

/** True when `stored` was made with other parameters than today's: hash the password again once it is known. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$')
  return scheme !== 'scrypt' || Number(n) !== params.N || Number(r) !== params.r || Number(p) !== params.p
}

/** A hash of nobody's password with today's parameters: checked when a user name is unknown, so that the answer
 * takes as long as for a real user and timing does not tell which names exist. */
export const unknownUserHash = `scrypt$${params.N}$${params.r}$${params.p}$AAAAAAAAAAAAAAAAAAAAAA==$${'A'.repeat(43)}=`

/** A password a person can read off a terminal and type: 20 characters from an unambiguous alphabet (~110 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = randomBytes(20)
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('')
}
