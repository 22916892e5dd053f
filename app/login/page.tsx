import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { sessionState } from '@/lib/auth/session'
import { LoginForm } from '@/app/login/login-form'
import { SecondFactorForm } from '@/app/login/second-factor-form'
import { ssoProviderName } from '@/lib/users/sso'
import { ssoRefusalText } from '@/app/login/sso-refusals'
import { Notice } from '@/app/ui/form-status'

export const metadata: Metadata = { title: 'Sign in' }

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ sso?: string }> }) {
  const state = await sessionState()
  if (state.stage === 'signed-in') redirect('/')
  if (state.stage === 'new-password') redirect('/login/new-password')
  if (state.stage === 'enrol') redirect('/login/enrol')
  const provider = ssoProviderName()
  const refusal = provider && ssoRefusalText((await searchParams).sso, provider)
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card w-full max-w-sm">
        <h1 className="mb-3">
          {/* eslint-disable-next-line @next/next/no-img-element -- a static SVG needs no image optimisation */}
          <img src="/logo.svg" alt="Virtnet" width={138} height={30} />
        </h1>
        <p className="mb-6 text-sm text-slate-600 dark:text-slate-300">Sign in to manage libvirt host networking.</p>
        {state.stage === 'second-factor' ? (
          <SecondFactorForm username={state.user.username} />
        ) : (
          <div className="space-y-4">
            {refusal && <Notice tone="error">{refusal}</Notice>}
            <LoginForm />
            {provider && (
              // a link, not a form: the provider's page is on another origin, which form-action 'self' forbids
              <a href="/api/auth/oidc/start" className="btn w-full justify-center">
                Sign in with {provider}
              </a>
            )}
          </div>
        )}
      </div>
    </main>
  )
}
