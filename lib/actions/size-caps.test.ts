import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { sizeInWords } from '@/lib/addresses/value-rules'
import { ImportSchema, SaveMappingSchema } from '@/lib/dhcp/schemas'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'

/*
 * Big inputs are refused by the schemas, field by field and in words, well below the server-action request limit
 * (next.config.ts: 8 MB), so that they reach runAction and end as a field error that keeps the text.
 */
const megabytes = (n: number, unit = 'x') => unit.repeat(Math.round(n * 1024 * 1024))
const errorsOf = (schema: z.ZodType, input: Record<string, string>) => {
  const parsed = schema.safeParse(input)
  return parsed.success ? undefined : z.flattenError(parsed.error).fieldErrors
}

describe('size caps of typed and pasted texts', () => {
  it('say a size in words', () => {
    expect(sizeInWords(5 * 1024 * 1024)).toBe('5.0 MB')
    expect(sizeInWords(1.5 * 1024 * 1024)).toBe('1.5 MB')
    expect(sizeInWords(900 * 1024)).toBe('900 KB')
    expect(sizeInWords(12)).toBe('12 bytes')
  })

  it('refuse an XML over 1 MB in the editor, and take one of 1 MB', () => {
    const edit = { hostId: 'h', name: 'default', base: 'a'.repeat(64) }
    expect(errorsOf(NetworkEditSchema, { ...edit, xml: `<network>${megabytes(5)}</network>` })).toEqual({
      xml: ['The XML is 5.0 MB; the editor takes at most 1 MB.'],
    })
    expect(errorsOf(NetworkEditSchema, { ...edit, xml: megabytes(1) })).toBeUndefined()
    // Bytes as they travel: 0.6 M two-byte characters are 1.2 MB.
    expect(errorsOf(NetworkEditSchema, { ...edit, xml: megabytes(0.6, 'é') })).toEqual({
      xml: ['The XML is 1.2 MB; the editor takes at most 1 MB.'],
    })
    expect(errorsOf(NetworkEditSchema, { ...edit, xml: '  \n' })).toEqual({ xml: ['Paste or edit the network XML.'] })
  })

  it('refuse a CSV over 1 MB in the DHCP import', () => {
    const csv = '52:54:00:12:34:56,192.168.122.50,web1\n'
      .repeat(Math.ceil((1.5 * 1024 * 1024) / 38))
      .slice(0, 1.5 * 1024 * 1024)
    expect(errorsOf(ImportSchema, { hostId: 'h', network: 'default', csv })).toEqual({
      csv: ['The CSV is 1.5 MB; the import takes at most 1 MB.'],
    })
    expect(errorsOf(ImportSchema, { hostId: 'h', network: 'default', csv: csv.slice(0, 1024 * 1024) })).toBeUndefined()
  })

  it('refuse a long short field in words', () => {
    expect(
      errorsOf(SaveMappingSchema, { hostId: 'h', network: 'default', ip: '10.0.0.5', name: megabytes(1.5) }),
    ).toEqual({ name: [`This is ${1.5 * 1024 * 1024} characters long; use at most 300.`] })
  })
})
