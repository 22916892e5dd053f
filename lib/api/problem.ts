import 'server-only'
import type { FailureOutcome } from '@/lib/actions/form-state'
import type { LineError } from '@/lib/core/errors'

/*
 * Errors of the API as RFC 9457 problem details (application/problem+json). A refused form's field errors travel in
 * `errors`, field name to messages, exactly as the form shows them; where a multi-line field's problems have a place
 * (a line of submitted XML), `lines` says where, as the editor marks them.
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
  lines?: Record<string, LineError[]>
}

export function problemOf(
  kind: ProblemKind,
  detail: string,
  errors?: Record<string, string[] | undefined>,
  lines?: Record<string, LineError[]>,
): Problem {
  const { status, title } = kinds[kind]
  const fields = errors && Object.keys(errors).length ? { errors: errors as Record<string, string[]> } : {}
  const places = lines && Object.keys(lines).length ? { lines } : {}
  return { type: `/api/v1/problems/${kind}`, title, status, detail, ...fields, ...places }
}

export function problem(
  kind: ProblemKind,
  detail: string,
  options: {
    errors?: Record<string, string[] | undefined>
    lines?: Record<string, LineError[]>
    headers?: Record<string, string>
  } = {},
): Response {
  const body = problemOf(kind, detail, options.errors, options.lines)
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': problemContentType, 'cache-control': 'no-store', ...options.headers },
  })
}

/** The problem kind of a refused or failed action (lib/actions/run-action.ts says which). */
export const problemKindOf = (outcome: FailureOutcome | undefined): ProblemKind =>
  outcome === 'signed-out' ? 'unauthenticated' : (outcome ?? 'error')

export const problemStatuses = Object.values(kinds).map((kind) => kind.status)
