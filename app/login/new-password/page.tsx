import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { sessionState } from '@/lib/auth/session'
import { chooseRequiredPassword, logout } from '@/app/login/actions'
import { PasswordForm } from '@/app/(dashboard)/account/password-form'

export const metadata: Metadata = { title: 'Choose a new password' }

/** The only page a user reaches who signed in with a one-time password an administrator set. */
export default async function NewPasswordPage() {
  const state = await sessionState()
  if (state.stage !== 'new-password') redirect(state.stage === 'signed-in' ? '/' : '/login')
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card w-full max-w-sm space-y-4">
        <h1 className="text-xl font-semibold">Choose a new password</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {state.user.username}, you signed in with a one-time password. Choose your own to continue.
        </p>
        <PasswordForm action={chooseRequiredPassword} askCurrent={false} submitLabel="Set password and continue" />
        <form action={logout}>
          <button className="text-xs text-slate-600 underline dark:text-slate-300">Sign out</button>
        </form>
      </div>
    </main>
  )
}
