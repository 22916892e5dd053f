import { describe, expect, it } from 'vitest'
import { generatePassword, hashPassword, needsRehash, unknownUserHash, verifyPassword } from './password'

// Each hash costs 128 MiB and a good part of a second by design; a busy machine runs several side by side.
describe('password hashing', { timeout: 60_000 }, () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple')
    // OWASP's scrypt guidance: N=2^17, r=8, p=1
    expect(stored.startsWith('scrypt$131072$8$1$')).toBe(true)
    expect(needsRehash(stored)).toBe(false)
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true)
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false)
  })

  it('still verifies a hash made with the old parameters (N=2^15), and asks for it to be made again', async () => {
    // made with N=2^15, r=8, p=1 by the previous hashPassword
    const stored = 'scrypt$32768$8$1$2oQw0ZXoX3wIMJxq8GqDKg==$8sBc9qENBDIAUVj6UTiwfltgkgG4976FGCanvFw0ufc='
    expect(await verifyPassword('old password', stored)).toBe(true)
    expect(needsRehash(stored)).toBe(true)
  })

  it('checks unknown user names against a hash as costly as a real one', () => {
    expect(needsRehash(unknownUserHash)).toBe(false)
  })

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toEqual(await hashPassword('same'))
  })

  it('rejects malformed stored hashes instead of throwing', async () => {
    expect(await verifyPassword('x', 'md5$abc')).toBe(false)
  })

  it('generates readable random passwords', () => {
    const password = generatePassword()
    expect(password).toMatch(/^[a-zA-Z2-9]{20}$/)
    expect(generatePassword()).not.toEqual(password)
  })
})
