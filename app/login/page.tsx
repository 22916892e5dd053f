import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { currentUser } from '@/lib/auth/session'
import { LoginForm } from '@/app/login/login-form'

export const metadata: Metadata = { title: 'Sign in' }

export default async function LoginPage() {
  if (await currentUser()) redirect('/')
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card w-full max-w-sm">
        <h1 className="mb-3">
          {/* eslint-disable-next-line @next/next/no-img-element -- a static SVG needs no image optimisation */}
          <img src="/logo.svg" alt="Virtnet" width={138} height={30} />
        </h1>
        <p className="mb-6 text-sm text-slate-600">Sign in to manage libvirt host networking.</p>
        <LoginForm />
      </div>
    </main>
  )
}
