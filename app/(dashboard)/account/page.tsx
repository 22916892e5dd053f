import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { roleLabels } from '@/lib/auth/roles'
import { ownSecondFactor } from '@/lib/users/second-factor'
import { SecondFactorEnrolment } from '@/app/ui/second-factor-enrolment'
import { PasswordForm } from './password-form'
import { listOwnTokens } from '@/lib/auth/api-tokens'
import { confirmSecondFactorAction, revokeTokenAction, startSecondFactorAction } from './actions'
import { CreateTokenForm } from './token-forms'
import { TokenList } from './token-list'

export const metadata: Metadata = { title: 'Account' }

export default async function AccountPage() {
  const user = await authorizePage('ownAccount')
  const tokens = await listOwnTokens()
  const secondFactor = await ownSecondFactor()
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Your account</h1>
      <p className="text-sm">
        Signed in as <strong>{user.username}</strong> ({roleLabels[user.role]}).
      </p>
      <section className="card">
        <h2 className="mb-3 text-lg font-semibold">Change password</h2>
        <PasswordForm />
      </section>
      <section className="card space-y-3" aria-label="API tokens">
        <h2 className="text-lg font-semibold">API tokens</h2>
        <p className="text-sm">
          A token lets a script or the <code>virtnet</code> command act as you through the API (
          <a className="underline" href="/api-reference">
            reference
          </a>
          ): never more than your role allows, read-only or read-write.
        </p>
        <CreateTokenForm />
        <TokenList tokens={tokens} revoke={revokeTokenAction} />
      </section>
      <section className="card" aria-label="Second factor">
        <h2 className="mb-3 text-lg font-semibold">Second factor</h2>
        <SecondFactorEnrolment
          enabled={secondFactor.enabled}
          pending={secondFactor.pending}
          start={startSecondFactorAction}
          confirm={confirmSecondFactorAction}
        />
        {secondFactor.enabled && (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
            {secondFactor.recoveryCodesLeft} unused recovery code{secondFactor.recoveryCodesLeft === 1 ? '' : 's'} left.
            Lost your phone? An administrator can reset your second factor.
          </p>
        )}
      </section>
    </div>
  )
}
