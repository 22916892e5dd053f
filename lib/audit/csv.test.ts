import { describe, expect, it } from 'vitest'
import { csvField, csvRow } from './csv'

describe('csv', () => {
  it('quotes separators, quotes and newlines', () => {
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
  })
  it('defuses spreadsheet formulas', () => {
    expect(csvField('=cmd()')).toBe("'=cmd()")
    expect(csvField('-1')).toBe("'-1")
  })
  it('writes dates as ISO and nulls as empty', () => {
    expect(csvRow([new Date(Date.UTC(2026, 0, 2)), null, 3])).toBe('2026-01-02T00:00:00.000Z,,3\r\n')
  })
})
