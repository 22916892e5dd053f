import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { sessionState } from '@/lib/auth/session'
import { requiredEnrolmentView } from '@/lib/users/second-factor'
import { confirmRequiredEnrolment, logout, startRequiredEnrolment } from '@/app/login/actions'
import { SecondFactorEnrolment } from '@/app/ui/second-factor-enrolment'

export const metadata: Metadata = { title: 'Set up a second factor' }

/** The only page a user reaches whose role requires a second factor they have not set up. */
export default async function EnrolPage() {
  const view = await requiredEnrolmentView()
  if (!view) redirect((await sessionState()).stage === 'signed-in' ? '/' : '/login')
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card w-full max-w-md space-y-4">
        <h1 className="text-xl font-semibold">Set up a second factor</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Your role requires a code from an authenticator app at sign-in. Set it up to continue, {view.username}.
        </p>
        <SecondFactorEnrolment
          enabled={view.enabled}
          pending={view.pending}
          start={startRequiredEnrolment}
          confirm={confirmRequiredEnrolment}
          continueHref="/"
        />
        <form action={logout}>
          <button className="text-xs text-slate-600 dark:text-slate-300 underline">Sign out</button>
        </form>
      </div>
    </main>
  )
}
