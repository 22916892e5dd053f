import 'server-only'
import type { HostRef } from '@/lib/core/types'
import { z } from 'zod'
import { authorize } from '@/lib/auth/authorize'
import { NotAuthorizedError } from '@/lib/core/errors'
import type { Permission } from '@/lib/auth/roles'
import type { SessionUser } from '@/lib/auth/session'
import { recordAudit, type AuditInput } from '@/lib/audit/record'
import { recordSignedOutRefusal } from '@/lib/audit/refusals'
import { requestClient } from '@/lib/auth/client'
import { headers } from 'next/headers'
import { addLogContext, log, requestIdFrom, withLogContext } from '@/lib/telemetry/log'
import { recordCommands, recordedCommandsOf, SshError, type CommandRecord } from '@/lib/ssh'
import { PlanFailedError } from '@/lib/plan/execute'
import { previewOf } from '@/lib/plan/dry-run'
import { describePlan, type PreviewDetail } from '@/lib/plan/plan'
import { FieldErrors, NothingToPreview, OperatorError } from '@/lib/core/errors'
import type { FailureOutcome, FormState } from '@/lib/actions/form-state'
import { actingToken, ReadOnlyTokenError } from '@/lib/auth/token-scope'
import { connectableHostOf } from '@/lib/hosts/host-tab'
import type { HostRow } from '@/lib/hosts/store'

type ActionSpec<S extends z.ZodType, H extends HostRef> = {
  /** audit action name, e.g. "network.start" */
  action: string
  permission: Permission
  schema: S
  input: FormData | Record<string, unknown>
  /** what the audit record names as the target */
  target?: (data: z.infer<S>) => string
  /** resolves the host the action works on; throwing here is a refusal */
  host?: (data: z.infer<S>, user: SessionUser) => Promise<H>
}

type ActionContext<S extends z.ZodType, H> = { data: z.infer<S>; user: SessionUser; host: H }
/** `detail`: what a declarative change reports it did (the same shape its preview shows), for the API's answer. */
type ActionOutcome = string | { message: string; jobId?: string; shownOnce?: string[]; detail?: PreviewDetail }

const secretFields = /password|secret|token/i

/** How much of the submitted fields a refusal's record keeps, names and values together (about 4 KB). */
export const auditedInputBudget = 4000

/**
 * The submitted fields as the audit keeps them, bounded whatever was posted (a refused 5 MB XML, or ten thousand
 * fields, included): each name cut at 100 characters and each value at 500, with its full length said when it was
 * cut, and the fields kept in order while they fit auditedInputBudget; the record says how many more there were.
 */
export function inputForAudit(input: FormData | Record<string, unknown>): Record<string, unknown> {
  const entries =
    input instanceof FormData
      ? [...input.entries()].filter(([key]) => !key.startsWith('$ACTION'))
      : Object.entries(input)
  const cut = (text: string, max: number) =>
    text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text
  const kept: Array<[string, string]> = []
  let used = 0
  for (const [index, [key, value]] of entries.entries()) {
    const name = cut(key, 100)
    const shown = secretFields.test(key) ? '(hidden)' : cut(typeof value === 'string' ? value : String(value), 500)
    if (used + name.length + shown.length > auditedInputBudget) {
      const rest = entries.length - index
      kept.push(['(not kept)', `${rest} more field${rest === 1 ? '' : 's'} of ${entries.length}`])
      break
    }
    kept.push([name, shown])
    used += name.length + shown.length
  }
  return Object.fromEntries(kept)
}

/** The form after a refused or failed request: the message, the fields to mark (FieldErrors), what was typed. */
function failedState(error: unknown, message: string, input: FormData | Record<string, unknown>): FormState {
  return {
    status: 'error',
    message,
    errors: error instanceof FieldErrors ? error.errors : {},
    ...(error instanceof FieldErrors && Object.keys(error.lines).length ? { errorLines: error.lines } : {}),
    values: submittedValues(input),
    outcome: outcomeOf(error),
  }
}

function outcomeOf(error: unknown): FailureOutcome {
  if (error instanceof FieldErrors) return 'invalid'
  if (error instanceof NotAuthorizedError) return error.user ? 'forbidden' : 'signed-out'
  if (error instanceof OperatorError) return 'refused'
  if (error instanceof SshError || error instanceof PlanFailedError) return 'failed'
  return 'error'
}

/** The submitted text fields minus secrets, echoed back to a refused form. */
function submittedValues(input: FormData | Record<string, unknown>): Record<string, string> {
  const entries = input instanceof FormData ? [...input.entries()] : Object.entries(input)
  return Object.fromEntries(
    entries.filter(
      ([key, value]) => typeof value === 'string' && !key.startsWith('$ACTION') && !secretFields.test(key),
    ) as [string, string][],
  )
}

function redact(data: unknown): unknown {
  if (!data || typeof data !== 'object') return data
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, secretFields.test(key) ? '(hidden)' : value]),
  )
}

function messageOf(error: unknown): string {
  if (
    error instanceof OperatorError ||
    error instanceof SshError ||
    error instanceof PlanFailedError ||
    error instanceof FieldErrors
  )
    return error.message
  log.error({ err: error }, 'unexpected error in an action')
  return 'Something went wrong on the dashboard; the details are in its log.'
}

/** Field messages in one line for the audit record: "ipv4Cidr: … overlaps …; bridge: …". */
function fieldSummary(errors: Record<string, string[] | undefined>): string {
  return Object.entries(errors)
    .map(([field, messages]) => `${field}: ${messages?.join(' ')}`)
    .join('; ')
}

/**
 * What the audit record says went wrong: what the form shows, and for a refusal per field (found by the schema, on the
 * host or in the domain code) the field messages themselves, not only "Please correct the highlighted fields.".
 */
function auditedErrorOf(error: unknown, message: string): string {
  if (!(error instanceof FieldErrors)) return message
  const summary = fieldSummary(error.errors)
  return summary ? `${message} ${summary}` : message
}

/** The audit record of the action's outcome, and its log line (which carries the request's context). */
async function audited(input: AuditInput): Promise<void> {
  const line = { result: input.result, target: input.target ?? undefined, commands: input.commands?.length ?? 0 }
  if (input.result === 'success') log.info(line, 'action succeeded')
  else log.warn({ ...line, error: input.error }, input.result === 'refused' ? 'action refused' : 'action failed')
  await recordAudit(input)
}

/** The request's id: the reverse proxy's X-Request-Id when it sent a plain one, otherwise a fresh one. */
async function requestId(): Promise<string> {
  try {
    return requestIdFrom((await headers()).get('x-request-id'))
  } catch {
    return requestIdFrom(null) // outside a request (a script): a fresh id
  }
}

/**
 * The one path of every mutation: authorize inside the action, validate with one schema, run the work while
 * recording the host commands it issues, audit the outcome (success, failure or refusal) and return FormState.
 * Every log line written meanwhile names the request, the user, the action and the host (lib/telemetry/log.ts).
 */
export async function runAction<S extends z.ZodType, H extends HostRef = never>(
  spec: ActionSpec<S, H>,
  work: (context: ActionContext<S, H>) => Promise<ActionOutcome>,
): Promise<FormState> {
  return withLogContext({ requestId: await requestId(), action: spec.action }, () => serveAction(spec, work))
}

async function serveAction<S extends z.ZodType, H extends HostRef>(
  spec: ActionSpec<S, H>,
  work: (context: ActionContext<S, H>) => Promise<ActionOutcome>,
): Promise<FormState> {
  let user: SessionUser
  try {
    user = await authorize(spec.permission)
    // Every action changes something: a read-only API token may use none of them, whatever its user's role.
    if (actingToken()?.scope === 'read') throw new ReadOnlyTokenError(user, spec.permission)
  } catch (error) {
    if (!(error instanceof NotAuthorizedError)) throw error
    addLogContext({ user: error.user?.username ?? '(anonymous)' })
    const refusal = {
      action: spec.action,
      params: inputForAudit(spec.input),
      result: 'refused',
      error: error.message,
    } as const
    // Signed out, the sender is known only by its address and pays nothing per request: at most one record per
    // client and minute, the rest counted into a summary (lib/audit/refusals.ts). The record names the client as target.
    if (error.user) await audited({ actor: { id: error.user.id, username: error.user.username }, ...refusal })
    else {
      const client = (await requestClient()).address
      log.warn({ result: 'refused', target: client, error: error.message }, 'action refused')
      await recordSignedOutRefusal(client, { actor: { id: null, username: '(anonymous)' }, target: client, ...refusal })
    }
    return {
      status: 'error',
      message: error.message,
      errors: {},
      values: submittedValues(spec.input),
      outcome: outcomeOf(error),
    }
  }
  const actor = { id: user.id, username: user.username }
  addLogContext({ user: user.username })
  const raw = spec.input instanceof FormData ? Object.fromEntries(spec.input.entries()) : spec.input
  const parsed = spec.schema.safeParse(raw)
  if (!parsed.success) {
    const errors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>
    const summary = fieldSummary(errors)
    await audited({
      actor,
      action: spec.action,
      params: inputForAudit(spec.input),
      result: 'refused',
      error: `Invalid input: ${summary || parsed.error.issues[0]?.message}`,
    })
    return {
      status: 'error',
      message: 'Please correct the highlighted fields.',
      errors,
      values: submittedValues(spec.input),
      outcome: 'invalid',
    }
  }
  const data = parsed.data
  const target = spec.target?.(data) ?? null
  let host: H | null = null
  try {
    host = spec.host ? await spec.host(data, user) : null
    if (host) addLogContext({ host: host.name })
  } catch (error) {
    const message = messageOf(error)
    await audited({
      actor,
      action: spec.action,
      target,
      params: redact(data),
      result: 'refused',
      error: auditedErrorOf(error, message),
    })
    // The host (or guest, or forward) the request names is not one this user may act on, or not one that can be.
    const state = failedState(error, message, spec.input)
    return state.outcome === 'refused' ? { ...state, outcome: 'forbidden' } : state
  }

  const failed = async (error: unknown, commands: CommandRecord[], params: unknown): Promise<FormState> => {
    // A preview that stops short of a change (NothingToPreview) refused the request; nothing was attempted.
    const refused = error instanceof FieldErrors || error instanceof NothingToPreview
    const message = messageOf(error)
    await audited({
      actor,
      host,
      action: spec.action,
      target,
      params,
      commands,
      result: refused ? 'refused' : 'failure',
      error: auditedErrorOf(error, message),
    })
    return failedState(error, message, spec.input)
  }

  if (dryRunRequested(spec.input)) {
    // Nothing changes, so a preview is not audited; a preview refused for bad input is, like any refusal.
    try {
      const plan = await previewOf(() => work({ data, user, host: host as H }))
      log.info({ result: 'preview', steps: plan.steps.length }, 'action previewed')
      const count = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`
      return {
        status: 'preview',
        message: `Preview, nothing changed: "${plan.title}" would run ${count}.`,
        errors: {},
        // A self-service user sees their own part of a plan only (the forward table holds every user's rules).
        plan: describePlan(plan, { withInput: true, onlyOwner: user.role === 'selfservice' ? user.id : undefined }),
        detail: plan.detail,
        values: { ...submittedValues(spec.input), ...plan.chosen },
      }
    } catch (error) {
      return failed(error, recordedCommandsOf(error) ?? [], { ...(redact(data) as object), dryRun: true })
    }
  }

  let commands: CommandRecord[] = []
  try {
    const recorded = await recordCommands(() => work({ data, user, host: host as H }))
    commands = recorded.commands
    const outcome: Exclude<ActionOutcome, string> =
      typeof recorded.result === 'string' ? { message: recorded.result } : recorded.result
    await audited({ actor, host, action: spec.action, target, params: redact(data), commands, result: 'success' })
    return {
      status: 'success',
      message: outcome.message,
      errors: {},
      jobId: outcome.jobId,
      shownOnce: outcome.shownOnce,
      ...(outcome.detail && { detail: outcome.detail }),
    }
  } catch (error) {
    return failed(error, recordedCommandsOf(error) ?? commands, redact(data))
  }
}

/** The spec of an action on a posted form: its audit action, permission, schema and target, in that order. */
export function fromForm<S extends z.ZodType>(
  formData: FormData,
  action: string,
  permission: Permission,
  schema: S,
  target?: (data: z.infer<S>) => string,
): ActionSpec<S, never> {
  return { action, permission, schema, input: formData, target }
}

/**
 * The spec of an action on one host, as posted by a host tab's form: as fromForm, and the form's hostId names the host,
 * which must be connectable (refused otherwise).
 */
export function onHost<S extends z.ZodType<{ hostId: string }>>(
  formData: FormData,
  action: string,
  permission: Permission,
  schema: S,
  target?: (data: z.infer<S>) => string,
): ActionSpec<S, HostRow> {
  return { ...fromForm(formData, action, permission, schema, target), host: connectableHostOf }
}

/** Forms ask for a dry run with a second submit button, name="dryRun" value="1", or through `dryRunOf` (app/ui/plan-preview.tsx). */
function dryRunRequested(input: FormData | Record<string, unknown>): boolean {
  return (input instanceof FormData ? input.get('dryRun') : input.dryRun) === '1'
}
