import type { Metadata } from 'next'
import { authorizePage } from '@/lib/auth/authorize-page'
import { roleLabels } from '@/lib/auth/roles'
import { PasswordForm } from './password-form'

export const metadata: Metadata = { title: 'Account' }

export default async function AccountPage() {
  const user = await authorizePage('ownAccount')
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
    </div>
  )
}
