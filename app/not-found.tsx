import type { Metadata } from 'next'
import Link from 'next/link'

export const metadata: Metadata = { title: 'Not found' }

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card max-w-md text-center">
        <h1 className="text-lg font-semibold">Not found</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
          Nothing is at this address: it may have been removed, or the link is mistyped.
        </p>
        <Link href="/" className="btn mt-4">
          Back to the dashboard
        </Link>
      </div>
    </main>
  )
}
