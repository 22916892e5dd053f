'use client'

import { PageError } from '@/app/ui/page-error'
import './globals.css'

/** The root layout itself failed: this replaces it, so it brings its own document and styles. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-100 p-6 font-sans text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <title>Error · Virtnet</title>
        <PageError error={error} retry={retry} />
      </body>
    </html>
  )
}
