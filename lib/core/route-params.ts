/*
 * Route parameters and paths arrive percent-encoded. decodeURIComponent throws URIError on a malformed escape ("%ZZ",
 * a lone "%", bytes that are not UTF-8), which would end a request in an error page; every decoding of a route param
 * goes through here instead, and a malformed one is simply an address that names nothing.
 */

/** The decoded text, or null when `encoded` holds a malformed percent-escape. */
export function decodeRouteParam(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded)
  } catch (error) {
    if (error instanceof URIError) return null
    throw error
  }
}

/** Whether some part of a request path cannot be decoded (the router would fail on it before any page runs). */
export function hasMalformedEscape(pathname: string): boolean {
  return pathname.includes('%') && decodeRouteParam(pathname) === null
}
