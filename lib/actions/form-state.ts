import type { LineError } from '@/lib/core/errors'
import type { PlannedStep, PreviewDetail } from '@/lib/plan/plan'

/** The one shape every server action returns, so forms render errors and messages the same way everywhere. */
export type FormState = {
  /** preview: a dry run; `plan` holds what would run (and `detail` what else the preview shows) and nothing changed */
  status: 'idle' | 'success' | 'error' | 'preview'
  message: string | null
  errors: Record<string, string[] | undefined>
  /** where in a multi-line field (an XML editor) its errors are, when known: the editor marks those lines */
  errorLines?: Record<string, LineError[]>
  /** set by actions that start a background job, so the form can follow it */
  jobId?: string
  /** what was submitted, so a refused form shows the operator's input again instead of an empty form */
  values?: Record<string, string>
  /** what the user sees once and Virtnet never shows again (fresh recovery codes) */
  shownOnce?: string[]
  plan?: PlannedStep[]
  /** a preview's detail, or what a declarative change reports it did (added, changed, removed) */
  detail?: PreviewDetail
  /** why a request ended in 'error', for the API's status code (lib/api/respond.ts); forms show the message */
  outcome?: FailureOutcome
}

/**
 * signed-out / forbidden: the user (or token) may not; invalid: a field is wrong (the form's field errors); refused:
 * the request is well-formed but cannot be done as asked (not the user's guest, no such token, nothing to preview);
 * failed: a host or plan failed; error: the dashboard failed.
 */
export type FailureOutcome = 'signed-out' | 'forbidden' | 'invalid' | 'refused' | 'failed' | 'error'

export const initialFormState: FormState = { status: 'idle', message: null, errors: {} }
