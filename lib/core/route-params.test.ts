import { describe, expect, it } from 'vitest'
import { decodeRouteParam, hasMalformedEscape } from '@/lib/core/route-params'

describe('decoding route params', () => {
  it('decodes well-formed escapes', () => {
    expect(decodeRouteParam('vn-net')).toBe('vn-net')
    expect(decodeRouteParam('a%20b%2Fc')).toBe('a b/c')
    expect(decodeRouteParam('%25ZZ')).toBe('%ZZ')
    expect(decodeRouteParam('r%C3%A9seau')).toBe('réseau')
  })

  it('answers null for a malformed escape instead of throwing', () => {
    for (const malformed of ['%ZZ', '%', 'net%', '%2', '%E0%A4%A', '%C3', '%FF', '%ED%A0%80'])
      expect([malformed, decodeRouteParam(malformed)]).toEqual([malformed, null])
  })

  it('tells a request path the router cannot decode', () => {
    expect(hasMalformedEscape('/hosts/%ZZ')).toBe(true)
    expect(hasMalformedEscape('/hosts/h1/networks/%ZZ/edit')).toBe(true)
    expect(hasMalformedEscape('/api/jobs/%')).toBe(true)
    expect(hasMalformedEscape('/hosts/h1/networks/vn%2Dnet')).toBe(false)
    expect(hasMalformedEscape('/hosts')).toBe(false)
  })
})
