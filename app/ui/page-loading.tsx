/** The placeholder a page shows while it loads: a spoken status and grey bars where its content will be. */
export function PageLoading({ what }: { what: string }) {
  return (
    <div role="status" aria-live="polite" className="space-y-4" data-testid="page-loading">
      <p className="text-sm text-slate-600 dark:text-slate-400">{what}</p>
      <div aria-hidden className="h-7 w-64 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      <div aria-hidden className="card space-y-2">
        {[0, 1, 2, 3].map((row) => (
          <div key={row} className="h-4 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
        ))}
      </div>
    </div>
  )
}
