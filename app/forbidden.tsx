import Link from 'next/link'

export default function Forbidden() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card max-w-md text-center">
        <h1 className="text-lg font-semibold">Not allowed</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">Your role does not give access to this page.</p>
        <Link href="/" className="btn mt-4">
          Back
        </Link>
      </div>
    </main>
  )
}
