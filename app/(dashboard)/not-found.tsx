import Link from 'next/link'

/** A host, network, guest or job that does not exist: said inside the dashboard, with the sidebar still there. */
export default function DashboardNotFound() {
  return (
    <div className="card mx-auto mt-6 max-w-md text-center" data-testid="not-found">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Nothing is here: it may have been removed (on the host or in Virtnet), or the link is mistyped.
      </p>
      <Link href="/" className="btn mt-4">
        Back to the dashboard
      </Link>
    </div>
  )
}
