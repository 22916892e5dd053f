import { describe, expect, it } from 'vitest'
import {
  guestNameProblem,
  interfaceNameProblem,
  parsePortRange,
  parseWholeNumber,
  shownValue,
  wholeNumber,
} from '@/lib/addresses/value-rules'

// The rules on their own; lib/actions/value-rules-everywhere.test.ts runs them through every schema that uses them.
describe('value rules', () => {
  it('quote a typed value in a message: short, one line', () => {
    expect(shownValue('br0')).toBe('"br0"')
    expect(shownValue('a\nb\u0000c\u0085')).toBe('"a?b?c?"')
    expect(shownValue('x'.repeat(41))).toBe(`"${'x'.repeat(39)}…"`)
    expect(shownValue('é'.repeat(40))).toBe(`"${'é'.repeat(40)}"`)
  })

  it('never take a number for a guest, which virsh would read as a domain id', () => {
    for (const text of ['1', '007', '60'])
      expect(guestNameProblem(text)).toBe(
        `"${text}" is a number, which libvirt reads as a running guest's id; enter the guest's name or UUID.`,
      )
    for (const text of ['vnlab-b1', 'web 1', '1a', '6a3f1c9e-0b7d-4c1e-9f1b-2f7a9e2c5d11'])
      expect([text, guestNameProblem(text)]).toEqual([text, null])
  })

  it('read whole numbers from decimal digits only', () => {
    const ports = { min: 1, max: 65535 }
    expect(parseWholeNumber(' 2222 ', ports)).toBe(2222)
    expect(parseWholeNumber('0022', ports)).toBe(22)
    for (const text of ['1e3', '0x8AE', '2222.0', '+2222', '-1', '0', '65536', '', ' ', '2 222', '２２'])
      expect([text, parseWholeNumber(text, ports)]).toEqual([text, null])
  })

  it('take a number from code that calls an action directly under the same rule', () => {
    const count = wholeNumber({ min: 0, max: 1000 })
    expect(count.parse(7)).toBe(7)
    for (const input of [7.5, 1e21, Number.NaN, -1, null, undefined, true])
      expect(count.safeParse(input).success, String(input)).toBe(false)
  })

  it('read port ranges with either separator, each end under the whole-number rule', () => {
    expect(parsePortRange('8000 - 8010')).toEqual({ start: 8000, end: 8010 })
    expect(parsePortRange('8000:8010')).toEqual({ start: 8000, end: 8010 })
    expect(parsePortRange('8000-8000')).toEqual({ start: 8000, end: 8000 })
    for (const text of ['8010-8000', '1e3-2e3', '80-', '-80', '80--90', '80-90-100'])
      expect([text, parsePortRange(text)]).toEqual([text, null])
  })

  it('count an interface name in bytes, as the kernel does', () => {
    expect(interfaceNameProblem('ééééééé1')).toBeNull()
    expect(interfaceNameProblem('éééééééé')).toBe(
      '"éééééééé" is not a Linux interface name (it is longer than 15 bytes).',
    )
  })
})
