import { createHash, randomInt } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'

// The pure parts of the TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps, what every authenticator app
// reads from the QR code). The database, the sealing of secrets and the audit are in second-factor.ts.

export const totpPeriodSeconds = 30
/** A code of the step before or after is accepted too: phones' clocks drift and people type slowly. */
export const totpWindow = 1

const totpOf = (secretBase32: string, label = 'user') =>
  new TOTP({
    issuer: 'Virtnet',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: totpPeriodSeconds,
    secret: Secret.fromBase32(secretBase32),
  })

/** A new secret: 160 random bits (RFC 4226's recommendation), in base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The otpauth:// address the enrolment QR code carries. */
export function totpUri(secretBase32: string, username: string): string {
  return totpOf(secretBase32, username).toString()
}

/** The code for a moment (tests, and nothing else, need to make one). */
export function totpCode(secretBase32: string, timestamp = Date.now()): string {
  return totpOf(secretBase32).generate({ timestamp })
}

/** The time step a code was made in, or null when it matches no step of the window around `timestamp`. */
export function totpStepOf(secretBase32: string, code: string, timestamp = Date.now()): number | null {
  const token = code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(token)) return null
  const delta = totpOf(secretBase32).validate({ token, timestamp, window: totpWindow })
  return delta === null ? null : Math.floor(timestamp / 1000 / totpPeriodSeconds) + delta
}

/**
 * A code may be used once: accepted only when its step is later than the last accepted one, so a code seen over a
 * shoulder or replayed from a captured request is refused for the rest of its window.
 */
export function isFreshStep(step: number, lastAcceptedStep: number | null): boolean {
  return lastAcceptedStep === null || step > lastAcceptedStep
}

export const recoveryCodeCount = 10
const recoveryAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789' // no 0/o, 1/l/i: codes are read off paper

/** Ten codes like "k7m2p-x9qrt": 10 characters of a 31-letter alphabet each, about 50 random bits. */
export function newRecoveryCodes(count = recoveryCodeCount): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 10 }, () => recoveryAlphabet[randomInt(recoveryAlphabet.length)]).join('')
    return `${chars.slice(0, 5)}-${chars.slice(5)}`
  })
}

/** What was typed, in the form codes are stored: lower case, no spaces or dashes. */
export function normalizeRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '')
}

export function looksLikeRecoveryCode(typed: string): boolean {
  return /^[a-z0-9]{10}$/.test(normalizeRecoveryCode(typed)) && !/^\d+$/.test(normalizeRecoveryCode(typed))
}

/** Codes carry 50 random bits, so a plain hash is enough: no one tries 2^50 guesses against sha256 offline. */
export function recoveryCodeHash(typed: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(typed)).digest('hex')
}
