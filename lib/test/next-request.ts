// The Next.js request APIs server actions call, for running actions in Vitest where there is no Next request: a
// cookie jar the test controls (it holds the real session token lib/auth/session.ts sets), request headers, and a
// record of what an action asked Next to do (revalidate a path, redirect). Only these request-scope APIs are stood
// in for; everything below them (database, SSH, hosts) is real. A test file wires them up with:
//
//   vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
//   vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
//   vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)
//
// This module imports nothing of lib/ or next, so those factories cannot import in a circle.

type Cookie = { name: string; value: string }

/** The browser's side of the session: what `cookies()` reads and what createSession/destroySession set. */
class CookieJar {
  private readonly cookies = new Map<string, string>()

  get(name: string): Cookie | undefined {
    const value = this.cookies.get(name)
    return value === undefined ? undefined : { name, value }
  }

  getAll(): Cookie[] {
    return [...this.cookies].map(([name, value]) => ({ name, value }))
  }

  has(name: string): boolean {
    return this.cookies.has(name)
  }

  set(nameOrCookie: string | Cookie, value?: string): this {
    if (typeof nameOrCookie === 'string') this.cookies.set(nameOrCookie, value ?? '')
    else this.cookies.set(nameOrCookie.name, nameOrCookie.value)
    return this
  }

  delete(name: string): this {
    this.cookies.delete(name)
    return this
  }

  clear(): void {
    this.cookies.clear()
  }
}

/** What `redirect()` throws, like Next's NEXT_REDIRECT: the action stops there. */
export class RedirectSignal extends Error {
  constructor(readonly url: string) {
    super(`redirect to ${url}`)
  }
}

/** The one simulated request: its cookies and headers, and what the action asked of Next while it ran. */
export const request = {
  cookies: new CookieJar(),
  headers: new Headers(),
  revalidated: [] as string[],
  redirects: [] as string[],
  /** Forgets what the previous action asked of Next (the cookies stay: the same browser posts again). */
  startAction() {
    this.revalidated.length = 0
    this.redirects.length = 0
  },
}

export const nextHeadersModule = {
  cookies: async () => request.cookies,
  headers: async () => request.headers,
}

export const nextCacheModule = {
  revalidatePath: (path: string, type?: string) => void request.revalidated.push(type ? `${path} (${type})` : path),
  revalidateTag: (tag: string) => void request.revalidated.push(`tag:${tag}`),
}

export const nextNavigationModule = {
  redirect: (url: string): never => {
    request.redirects.push(url)
    throw new RedirectSignal(url)
  },
  permanentRedirect: (url: string): never => {
    request.redirects.push(url)
    throw new RedirectSignal(url)
  },
  notFound: (): never => {
    throw new Error('notFound() called')
  },
}
