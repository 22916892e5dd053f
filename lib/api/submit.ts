import 'server-only'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { json } from '@/lib/api/json'
import { problem, problemKindOf } from '@/lib/api/problem'

/*
 * An API change is the dashboard's server action, posted with the request's fields: the same runAction (authorize,
 * the form's zod schema, the host, the plan, the audit), the same preview path for ?dryRun=1, the same field errors.
 * What the form would show becomes the HTTP answer.
 */

export type ServerAction = (previous: FormState, formData: FormData) => Promise<FormState>

/** Fields as a form posts them: text; numbers and booleans written out, lists as repeated fields, null left out. */
export function formDataOf(fields: Record<string, unknown>, dryRun: boolean): FormData {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue
      if (typeof item === 'boolean') {
        if (item) form.append(name, 'on')
        continue
      }
      form.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item))
    }
  }
  if (dryRun) form.set('dryRun', '1')
  return form
}

export async function submitAction(
  action: ServerAction,
  fields: Record<string, unknown>,
  dryRun: boolean,
): Promise<FormState> {
  return action(initialFormState, formDataOf(fields, dryRun))
}

export const jobUrlOf = (jobId: string) => `/api/v1/jobs/${encodeURIComponent(jobId)}`

/**
 * The answer to an action's FormState: a preview's plan (200), done (200) or started as a job (202 Accepted with the
 * job's URL), or a problem with the field errors. `extra` adds what the route knows besides (the created forward).
 */
export function answerOf(state: FormState, extra: Record<string, unknown> = {}): Response {
  if (state.status === 'preview')
    return json({ preview: true, message: state.message, plan: state.plan ?? [], detail: state.detail ?? null })
  if (state.status === 'success') {
    // A declarative change's report (what it added, changed, removed) is part of its answer.
    if (state.detail) extra = { detail: state.detail, ...extra }
    if (state.jobId) {
      const jobUrl = jobUrlOf(state.jobId)
      return json(
        { message: state.message, jobId: state.jobId, jobUrl, ...extra },
        { status: 202, headers: { location: jobUrl } },
      )
    }
    return json({ message: state.message, ...extra })
  }
  return problem(problemKindOf(state.outcome), state.message ?? 'The request was refused.', {
    errors: state.errors,
    lines: state.errorLines,
  })
}

/** Posts the fields to the action and answers as answerOf. */
export async function actionAnswer(
  action: ServerAction,
  fields: Record<string, unknown>,
  dryRun: boolean,
): Promise<Response> {
  return answerOf(await submitAction(action, fields, dryRun))
}
