import 'server-only'
import { ParseError } from '@/lib/core/errors'

/* Small converters shared by the command-output parsers; each failure names the field. */

export function yesNo(value: string, field: string, source: string, line?: number): boolean {
  if (value === 'yes') return true
  if (value === 'no') return false
  throw new ParseError(source, `${field} should be "yes" or "no", got "${value}"`, { line })
}

export function nonNegativeInteger(value: string, field: string, source: string, line?: number): number {
  if (!/^\d+$/.test(value)) throw new ParseError(source, `${field} should be a whole number, got "${value}"`, { line })
  const number = Number(value)
  if (!Number.isSafeInteger(number)) throw new ParseError(source, `${field} is too large: ${value}`, { line })
  return number
}

/** virsh prints "-" for a value that does not exist (inactive domain id, lease without hostname). */
export function dashAsNull(value: string): string | null {
  return value === '-' || value === '' ? null : value
}

export function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  field: string,
  source: string,
  line?: number,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new ParseError(source, `unexpected ${field} "${value}" (expected one of: ${allowed.join(', ')})`, { line })
}
