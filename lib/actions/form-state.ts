/** The one shape every server action returns, so forms render errors and messages the same way everywhere. */
export type FormState = {
  status: 'idle' | 'success' | 'error'
  message: string | null
  errors: Record<string, string[] | undefined>
  /** set by actions that start a background job, so the form can follow it */
  jobId?: string
  /** what was submitted, so a refused form shows the operator's input again instead of an empty form */
  values?: Record<string, string>
}

export const initialFormState: FormState = { status: 'idle', message: null, errors: {} }
