import { describe, expect, it } from 'vitest'
import { NextRequest } from 'next/server'
import { proxy } from '@/proxy'

/*
 * Next's router fails on a malformed percent-escape before any page runs (the production server answered 500); the
 * proxy answers such an address first. The e2e suite checks the real server (e2e/addresses.spec.ts).
 */
describe('addresses with a malformed percent-escape', () => {
  const at = (path: string) => proxy(new NextRequest(`http://127.0.0.1:3000${path}`))

  it.each(['/hosts/%ZZ', '/jobs/%ZZ', '/hosts/h1/networks/%ZZ', '/hosts/h1/networks/%ZZ/edit', '/hosts/%E0%A4%A'])(
    '%s shows the not-found page',
    (path) => {
      const rewrite = at(path).headers.get('x-middleware-rewrite')
      expect(rewrite && new URL(rewrite).pathname).toBe('/not-found')
    },
  )

  it('an API address answers 400 in JSON', async () => {
    const response = at('/api/jobs/%ZZ')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: 'The address has a malformed percent-escape.' })
  })

  it('leaves every other address alone', () => {
    for (const path of ['/hosts', '/hosts/h1/networks/vn%2Dnet', '/api/jobs/j1', '/audit?actor=%ZZ'])
      expect([path, at(path).headers.get('x-middleware-next')]).toEqual([path, '1'])
  })
})

describe('security headers', () => {
  const at = (path: string) => proxy(new NextRequest(`http://127.0.0.1:3000${path}`))

  it.each(['/login', '/hosts/%ZZ', '/api/jobs/%ZZ', '/_next/static/chunks/app.js'])('%s carries them', (path) => {
    const headers = at(path).headers
    expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(headers.get('x-content-type-options')).toBe('nosniff')
    expect(headers.get('referrer-policy')).toBe('same-origin')
    expect(headers.get('x-frame-options')).toBe('DENY')
  })

  it('gives each response its own script nonce, and passes it on to the page it renders', () => {
    const nonces = [at('/login'), at('/login')].map(
      (response) => /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1],
    )
    expect(nonces[0]).toMatch(/^[A-Za-z0-9+/]{22}==$/)
    expect(nonces[1]).not.toBe(nonces[0])
    const response = at('/login')
    const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1]
    expect(response.headers.get('x-middleware-request-x-nonce')).toBe(nonce)
  })
})
