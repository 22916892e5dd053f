/**
 * The headers every response carries (proxy.ts sets them). Scripts run only from the app's own origin or with the
 * request's nonce, which Next.js puts on the inline scripts it renders when the request carries the policy; styles
 * allow inline because React sets style attributes; nothing may frame the dashboard, and forms post only to it.
 */
export function contentSecurityPolicy(nonce: string, development = process.env.NODE_ENV === 'development'): string {
  return [
    `default-src 'self'`,
    // Next's dev server evaluates code for fast refresh; the production build never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ')
}

export const staticSecurityHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  // frame-ancestors for browsers that predate it
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
}
