import { describe, expect, it } from 'vitest'
import { clientOrigin, parseTrustedProxies } from './client-address'

const none = parseTrustedProxies(undefined)
const nginx = parseTrustedProxies('127.0.0.1, 10.0.0.0/8, ::1')

describe('the client of a request', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For and -Proto say', () => {
    const forged = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' }
    expect(clientOrigin('::ffff:127.0.0.1', false, forged, none)).toEqual({ address: '127.0.0.1', https: false })
    expect(clientOrigin('198.51.100.4', false, forged, nginx)).toEqual({ address: '198.51.100.4', https: false })
  })

  it('is the nearest untrusted hop of X-Forwarded-For when a trusted proxy sent the request', () => {
    // the client wrote 203.0.113.9 itself; nginx appended the address it saw
    const headers = { 'x-forwarded-for': '203.0.113.9, 198.51.100.7, 10.1.2.3', 'x-forwarded-proto': 'https' }
    expect(clientOrigin('127.0.0.1', false, headers, nginx)).toEqual({ address: '198.51.100.7', https: true })
    expect(clientOrigin('::1', false, { 'x-forwarded-for': '10.9.9.9' }, nginx)).toEqual({
      address: '10.9.9.9',
      https: false,
    })
  })

  it('is HTTPS when the socket itself is encrypted', () => {
    expect(clientOrigin('192.0.2.1', true, {}, none)).toEqual({ address: '192.0.2.1', https: true })
  })

  it('refuses a trusted-proxy setting that names no address', () => {
    expect(() => parseTrustedProxies('127.0.0.1, proxy.example')).toThrow('"proxy.example" is not an address')
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow('is not an address or a CIDR block')
  })
})
