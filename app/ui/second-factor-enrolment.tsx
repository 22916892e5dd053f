'use client'

import Link from 'next/link'
import { useActionState } from 'react'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { FormStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SubmitButton } from '@/app/ui/submit-button'

type Action = (previous: FormState, formData: FormData) => Promise<FormState>

/**
 * Setting up the TOTP second factor: start (a QR code appears), scan, confirm with a code. Once confirmed the recovery
 * codes are shown here, once; the confirmation's state keeps them on screen even when the page around re-renders.
 */
export function SecondFactorEnrolment({
  enabled,
  pending,
  start,
  confirm,
  continueHref,
}: {
  enabled: boolean
  pending: { secret: string; qrDataUrl: string } | null
  start: Action
  confirm: Action
  /** where to go once the codes are noted (the forced set-up goes on to the dashboard) */
  continueHref?: string
}) {
  const [started, startAction, starting] = useActionState(start, initialFormState)
  const [confirmed, confirmAction, confirming] = useActionState(confirm, initialFormState)
  if (confirmed.shownOnce?.length)
    return (
      <div className="space-y-3" data-testid="recovery-codes">
        <FormStatus state={confirmed} />
        <ul className="grid max-w-xs grid-cols-2 gap-1 font-mono text-sm">
          {confirmed.shownOnce.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Each code signs you in once, in place of a code from your app.
        </p>
        {continueHref && (
          <Link href={continueHref} className="btn btn-primary">
            I have noted them, continue
          </Link>
        )}
      </div>
    )
  if (enabled) return <p className="text-sm">A second factor (authenticator app) protects your sign-in.</p>
  return (
    <div className="space-y-3">
      {!pending && (
        <form action={startAction} className="space-y-2">
          <p className="text-sm">Sign in with a code from an authenticator app as well as your password.</p>
          <FormStatus state={started} />
          <SubmitButton pending={starting}>Set up a second factor</SubmitButton>
        </form>
      )}
      {pending && (
        <>
          <p className="text-sm">
            Scan this QR code with your authenticator app, or type the key by hand. It takes effect once you confirm it
            with a code.
          </p>
          {/* eslint-disable-next-line @next/next/no-img-element -- a data: address, nothing to optimise */}
          <img src={pending.qrDataUrl} alt="QR code of the second-factor key" width={180} height={180} />
          <p className="text-sm">
            Key: <code data-testid="totp-secret">{pending.secret}</code>
          </p>
          <form action={confirmAction} className="max-w-xs space-y-2" noValidate>
            <TextField
              state={confirmed}
              name="token"
              label="Code from the app"
              autoComplete="one-time-code"
              inputClassName="font-mono"
            />
            <FormStatus state={confirmed} />
            <SubmitButton pending={confirming}>Confirm</SubmitButton>
          </form>
        </>
      )}
    </div>
  )
}
