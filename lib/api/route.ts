import 'server-only'
import type { NextRequest } from 'next/server'
import { checkApiToken, claimTokenRequest } from '@/lib/auth/api-tokens'
import { runWithToken, type ActingToken } from '@/lib/auth/token-scope'
import { NotAuthorizedError } from '@/lib/core/errors'
import { log } from '@/lib/telemetry/log'
import { problem } from '@/lib/api/problem'
import { auditTokenRefusal } from '@/lib/api/token-refusals'
import { claimIdempotencyKey, releaseIdempotencyKey, requestHashOf, storeIdempotentAnswer } from '@/lib/api/idempotency'

/*
 * The one wrapper of every /api/v1 route handler: the bearer token (who acts), its rate limit, its scope (a read-only
 * token changes nothing), the JSON body, Idempotency-Key on POST, and errors as problem details. The handler itself
 * stays thin: it calls the server action (authorize, schema, plan, audit: lib/actions/run-action.ts) or the loader
 * (each authorizes itself) the dashboard uses. Authorization is never only here.
 */

export type ApiContext<P> = {
  request: NextRequest
  params: P
  /** the JSON body of a change ({} when there is none) */
  body: Record<string, unknown>
  /** ?dryRun=1: the change answers its plan and changes nothing */
  dryRun: boolean
  token: ActingToken
}

/** The largest body the API reads (a whole DHCP table, an XML definition). */
export const maxBodyBytes = 6 * 1024 * 1024

const changes = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function bearerOf(request: Request): string | null {
  const header = request.headers.get('authorization') ?? ''
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1]! : null
}

export function apiRoute<P = Record<string, never>>(handler: (context: ApiContext<P>) => Promise<Response>) {
  return async (request: NextRequest, { params }: { params: Promise<P> }): Promise<Response> => {
    const secret = bearerOf(request)
    const checked = await checkApiToken(secret)
    if (!checked.ok) {
      // A request with no token at all is not audited (nothing was tried); any token that fails is (token-refusals.ts).
      if (secret && checked.reason !== 'missing')
        await auditTokenRefusal(checked.reason, secret, request, tokenProblems[checked.reason])
      return problem('unauthenticated', tokenProblems[checked.reason], { headers: { 'www-authenticate': 'Bearer' } })
    }
    const retryAfter = await claimTokenRequest(checked.token.id)
    if (retryAfter !== null)
      return problem('rate-limited', `This token made too many requests; try again in ${retryAfter} s.`, {
        headers: { 'retry-after': String(retryAfter) },
      })
    const isChange = changes.has(request.method)
    if (isChange && checked.token.scope === 'read')
      return problem('forbidden', 'This token is read-only; changes need a read-write token.')

    let text = ''
    let body: Record<string, unknown> = {}
    if (isChange) {
      text = await request.text()
      if (text.length > maxBodyBytes) return problem('bad-request', `The body is larger than ${maxBodyBytes} bytes.`)
      if (text.trim()) {
        try {
          const parsed: unknown = JSON.parse(text)
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
          body = parsed as Record<string, unknown>
        } catch {
          return problem('bad-request', 'The body must be a JSON object.')
        }
      }
    }
    const dryRun = ['1', 'true'].includes(request.nextUrl.searchParams.get('dryRun') ?? '')
    const context: ApiContext<P> = { request, params: await params, body, dryRun, token: checked.token }
    const run = () => runWithToken({ user: checked.user, token: checked.token }, () => answer(handler, context))

    const key = request.method === 'POST' ? request.headers.get('idempotency-key') : null
    if (!key) return run()
    if (key.length > 200) return problem('bad-request', 'The Idempotency-Key is longer than 200 characters.')
    const url = request.nextUrl
    const claim = await claimIdempotencyKey(
      checked.token.id,
      key,
      requestHashOf('POST', url.pathname + url.search, text),
    )
    if (claim.kind === 'replay')
      return new Response(claim.answer.body, {
        status: claim.answer.status,
        headers: {
          'content-type': claim.answer.contentType,
          'idempotent-replayed': 'true',
          'cache-control': 'no-store',
        },
      })
    if (claim.kind === 'different-request')
      return problem('idempotency-conflict', 'This Idempotency-Key was first used with another request.')
    if (claim.kind === 'in-progress')
      return problem('refused', 'The first request with this Idempotency-Key is still running; retry when it ends.')
    let response: Response
    try {
      response = await run()
    } catch (error) {
      await releaseIdempotencyKey(checked.token.id, key)
      throw error
    }
    const stored = await response.clone().text()
    await storeIdempotentAnswer(checked.token.id, key, {
      status: response.status,
      body: stored,
      contentType: response.headers.get('content-type') ?? 'application/json',
    })
    return response
  }
}

const tokenProblems = {
  missing: 'Send a personal access token: Authorization: Bearer vn_… (Account page, API tokens).',
  unknown: 'This token is not known.',
  expired: 'This token has expired.',
  revoked: 'This token was revoked.',
  disabled: 'The user of this token is disabled.',
} as const

async function answer<P>(handler: (context: ApiContext<P>) => Promise<Response>, context: ApiContext<P>) {
  try {
    return await handler(context)
  } catch (error) {
    if (error instanceof NotAuthorizedError) return problem(error.user ? 'forbidden' : 'unauthenticated', error.message)
    log.error({ err: error }, 'unexpected error in an API route')
    return problem('error', 'Something went wrong on the dashboard; the details are in its log.')
  }
}
