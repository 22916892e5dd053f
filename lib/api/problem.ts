import 'server-only'
import type { FailureOutcome } from '@/lib/actions/form-state'

/*
 * Errors of the API as RFC 9457 problem details (application/problem+json). A refused form's field errors travel in
 * `errors`, field name to messages, exactly as the form shows them.
 */

export type ProblemKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'invalid'
  | 'refused'
  | 'failed'
  | 'error'
  | 'not-found'
  | 'rate-limited'
  | 'bad-request'
  | 'idempotency-conflict'

const kinds: Record<ProblemKind, { status: number; title: string }> = {
  unauthenticated: { status: 401, title: 'A valid API token is needed' },
  forbidden: { status: 403, title: 'Not allowed' },
  'not-found': { status: 404, title: 'Not found' },
  refused: { status: 409, title: 'The request cannot be done as asked' },
  invalid: { status: 422, title: 'Some fields are not valid' },
  'idempotency-conflict': { status: 422, title: 'The Idempotency-Key was used for another request' },
  'bad-request': { status: 400, title: 'The request is not well-formed' },
  'rate-limited': { status: 429, title: 'Too many requests for this token' },
  failed: { status: 502, title: 'The host or a plan failed' },
  error: { status: 500, title: 'The dashboard failed' },
}

export const problemContentType = 'application/problem+json'

export type Problem = {
  type: string
  title: string
  status: number
  detail: string
  errors?: Record<string, string[]>
}

export function problemOf(kind: ProblemKind, detail: string, errors?: Record<string, string[] | undefined>): Problem {
  const { status, title } = kinds[kind]
  const fields = errors && Object.keys(errors).length ? { errors: errors as Record<string, string[]> } : {}
  return { type: `/api/v1/problems/${kind}`, title, status, detail, ...fields }
}

export function problem(
  kind: ProblemKind,
  detail: string,
  options: { errors?: Record<string, string[] | undefined>; headers?: Record<string, string> } = {},
): Response {
  const body = problemOf(kind, detail, options.errors)
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': problemContentType, 'cache-control': 'no-store', ...options.headers },
  })
}

/** The problem kind of a refused or failed action (lib/actions/run-action.ts says which). */
export const problemKindOf = (outcome: FailureOutcome | undefined): ProblemKind =>
  outcome === 'signed-out' ? 'unauthenticated' : (outcome ?? 'error')

export const problemStatuses = Object.values(kinds).map((kind) => kind.status)
