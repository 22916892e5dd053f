import { describe, expect, it } from 'vitest'
import {
  isFreshStep,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  recoveryCodeHash,
  totpCode,
  totpStepOf,
  totpUri,
} from '@/lib/users/totp'

// RFC 6238 appendix B's SHA-1 key ("12345678901234567890") in base32, and its published 8-digit codes' last 6 digits.
const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'

describe('TOTP codes', () => {
  it('matches the RFC 6238 test vectors', () => {
    expect(totpCode(rfcSecret, 59_000)).toBe('287082')
    expect(totpCode(rfcSecret, 1_111_111_109_000)).toBe('081804')
    expect(totpCode(rfcSecret, 2_000_000_000_000)).toBe('279037')
  })

  it('names the step a code was made in, one step either side accepted', () => {
    const now = 1_700_000_015_000
    const step = Math.floor(now / 30_000)
    expect(totpStepOf(rfcSecret, totpCode(rfcSecret, now), now)).toBe(step)
    expect(totpStepOf(rfcSecret, totpCode(rfcSecret, now - 30_000), now)).toBe(step - 1)
    expect(totpStepOf(rfcSecret, totpCode(rfcSecret, now + 30_000), now)).toBe(step + 1)
    expect(totpStepOf(rfcSecret, totpCode(rfcSecret, now - 60_000), now)).toBeNull()
  })

  it('takes a code typed with spaces, refuses anything but six digits', () => {
    const now = 1_700_000_015_000
    const code = totpCode(rfcSecret, now)
    expect(totpStepOf(rfcSecret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).not.toBeNull()
    expect(totpStepOf(rfcSecret, `${code}0`, now)).toBeNull()
    expect(totpStepOf(rfcSecret, 'abcdef', now)).toBeNull()
  })

  it('accepts a step only after the last one accepted (a code is good once)', () => {
    expect(isFreshStep(100, null)).toBe(true)
    expect(isFreshStep(101, 100)).toBe(true)
    expect(isFreshStep(100, 100)).toBe(false)
    expect(isFreshStep(99, 100)).toBe(false)
  })

  it('makes 160-bit secrets and an otpauth address apps read', () => {
    const secret = newTotpSecret()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(newTotpSecret()).not.toBe(secret)
    const uri = new URL(totpUri(secret, 'alice'))
    expect(uri.protocol).toBe('otpauth:')
    expect(uri.searchParams.get('secret')).toBe(secret)
    expect(uri.searchParams.get('issuer')).toBe('Virtnet')
    expect(decodeURIComponent(uri.pathname)).toContain('alice')
  })
})

describe('recovery codes', () => {
  it('makes ten distinct codes of an unambiguous alphabet', () => {
    const codes = newRecoveryCodes()
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes) expect(code).toMatch(/^[a-hj-km-np-z2-9]{5}-[a-hj-km-np-z2-9]{5}$/)
  })

  it('hashes what was typed the way it was stored, whatever the case, spaces and dashes', () => {
    const [code] = newRecoveryCodes(1)
    expect(recoveryCodeHash(` ${code!.toUpperCase().replace('-', ' ')} `)).toBe(recoveryCodeHash(code!))
    expect(recoveryCodeHash(code!)).not.toContain(normalizeRecoveryCode(code!))
  })

  it('tells a recovery code from an app code', () => {
    expect(looksLikeRecoveryCode('k7m2p-x9qrt')).toBe(true)
    expect(looksLikeRecoveryCode('123456')).toBe(false)
    expect(looksLikeRecoveryCode('1234567890')).toBe(false)
  })
})
