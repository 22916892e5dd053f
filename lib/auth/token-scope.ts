import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import type { SessionUser } from '@/lib/auth/session'
import { NotAuthorizedError } from '@/lib/core/errors'

/*
 * Who is acting when a request came with a personal access token (the API) instead of a session cookie. The API
 * authenticates the token (lib/api/authenticate.ts) and runs the request inside this scope; `currentUser()` then
 * answers with the token's user, so `authorize`, `runAction`, the loaders and the audit log see the same actor as for
 * a click in the dashboard, and nothing else needs a second path.
 */

export type TokenScope = 'read' | 'write'
export type ActingToken = { id: string; name: string; scope: TokenScope }
type ApiActor = { user: SessionUser; token: ActingToken }

const acting = new AsyncLocalStorage<ApiActor>()

export function runWithToken<T>(actor: ApiActor, work: () => Promise<T>): Promise<T> {
  return acting.run(actor, work)
}

/** The token of the API request running now, or null (a dashboard request, a script). */
export function actingToken(): ActingToken | null {
  return acting.getStore()?.token ?? null
}

/** The token's user while an API request runs. */
export function tokenUser(): SessionUser | null {
  return acting.getStore()?.user ?? null
}

/** What the audit record adds for a request made with a token: which token it was. */
export function tokenForAudit(): string | null {
  const token = actingToken()
  return token ? `${token.name} (${token.id})` : null
}

/** A read-only token asked for a change. */
export class ReadOnlyTokenError extends NotAuthorizedError {
  constructor(user: SessionUser, permission: string) {
    super(user, permission)
    this.message = 'This token is read-only; changes need a read-write token.'
  }
}
