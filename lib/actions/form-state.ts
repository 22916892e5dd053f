import type { PlannedStep, PreviewDetail } from '@/lib/plan/plan'

/** The one shape every server action returns, so forms render errors and messages the same way everywhere. */
export type FormState = {
  /** preview: a dry run; `plan` holds what would run (and `detail` what else the preview shows) and nothing changed */
  status: 'idle' | 'success' | 'error' | 'preview'
  message: string | null
  errors: Record<string, string[] | undefined>
  /** set by actions that start a background job, so the form can follow it */
  jobId?: string
  /** what was submitted, so a refused form shows the operator's input again instead of an empty form */
  values?: Record<string, string>
  /** what the user sees once and Virtnet never shows again (fresh recovery codes) */
  shownOnce?: string[]
  plan?: PlannedStep[]
  detail?: PreviewDetail
}

export const initialFormState: FormState = { status: 'idle', message: null, errors: {} }
