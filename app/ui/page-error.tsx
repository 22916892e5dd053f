'use client'

import Link from 'next/link'

/**
 * What went wrong, in words, with a retry: the body of every error boundary. A server error reaches the browser
 * without its message (Next.js keeps it in the server log), so the page names its reference instead.
 */
export function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : null
  const offline = typeof navigator !== 'undefined' && !navigator.onLine
  const reason = offline
    ? 'This browser is offline, so the dashboard could not be reached.'
    : digest
      ? 'The server hit an unexpected error while building this page. Nothing was changed on any host.'
      : error instanceof Error && error.message
        ? `The page failed in the browser: ${error.message}`
        : 'The page failed in the browser.'
  return (
    <div role="alert" className="card mx-auto mt-6 max-w-xl space-y-3" data-testid="page-error">
      <h1 className="text-lg font-semibold">This page could not be shown</h1>
      <p className="text-sm text-slate-700 dark:text-slate-300">{reason}</p>
      {digest && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Reference <span className="code">{digest}</span>: the server log has the details under it.
        </p>
      )}
      <div className="flex gap-2">
        <button type="button" className="btn btn-primary" onClick={() => retry()}>
          Try again
        </button>
        <Link href="/" className="btn">
          Back to the dashboard
        </Link>
      </div>
    </div>
  )
}
