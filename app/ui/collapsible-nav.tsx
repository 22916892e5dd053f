'use client'

import { useState } from 'react'

/**
 * The main navigation: a sidebar on wide screens; on narrow ones a top bar whose Menu button (aria-expanded) opens
 * it above the page. Following a link closes it again, as does Escape.
 */
export function CollapsibleNav({ brand, children }: { brand: React.ReactNode; children: React.ReactNode }) {
  const [open, setOpen] = useState(false)
  return (
    <div
      className="shrink-0 bg-slate-900 text-slate-200 md:flex md:min-h-screen md:w-60 md:flex-col md:border-r md:border-slate-800"
      onKeyDown={(event) => {
        if (event.key === 'Escape') setOpen(false)
      }}
    >
      <div className="flex items-center justify-between">
        {brand}
        <button
          type="button"
          className="mr-3 rounded-md border border-slate-600 px-3 py-1.5 text-sm text-white hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-sky-400 md:hidden"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen(!open)}
        >
          {open ? 'Close menu' : 'Menu'}
        </button>
      </div>
      <nav
        id="main-nav"
        aria-label="Main"
        className={`${open ? 'flex' : 'hidden'} flex-1 flex-col md:flex`}
        onClick={(event) => {
          if ((event.target as HTMLElement).closest('a')) setOpen(false)
        }}
      >
        {children}
      </nav>
    </div>
  )
}
