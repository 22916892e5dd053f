'use client'

import { useCallback, useEffect, useId, useRef, useState } from 'react'
import { useRouter } from 'next/navigation'

type Hit = { kind: string; label: string; link: string; host: string }

/**
 * Search from anywhere: Ctrl-K (or ⌘K, or the sidebar's button) opens a modal dialog whose box searches the fleet's
 * inventory as one types (a MAC, an address, a guest, a network, a host port). Arrow keys move through the answers,
 * Enter opens one, Escape closes; focus stays inside the dialog while it is open and goes back where it was after.
 */
export function CommandPalette() {
  const [open, setOpen] = useState(false)
  const [query, setQuery] = useState('')
  const [hits, setHits] = useState<Hit[]>([])
  const [active, setActive] = useState(0)
  const [status, setStatus] = useState('')
  const router = useRouter()
  const dialog = useRef<HTMLDivElement>(null)
  const input = useRef<HTMLInputElement>(null)
  const opener = useRef<Element | null>(null)
  // What is on screen, for the search effect, which must not re-run when the selection moves.
  const shown = useRef({ hits, active })
  useEffect(() => {
    shown.current = { hits, active }
  }, [hits, active])
  const listId = useId()
  const titleId = useId()

  const close = useCallback(() => {
    setOpen(false)
    const back = opener.current
    if (back instanceof HTMLElement) back.focus()
  }, [])

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault()
        opener.current = document.activeElement
        setOpen(true)
      }
    }
    const onOpen = () => {
      opener.current = document.activeElement
      setOpen(true)
    }
    window.addEventListener('keydown', onKey)
    window.addEventListener('virtnet:search', onOpen)
    return () => {
      window.removeEventListener('keydown', onKey)
      window.removeEventListener('virtnet:search', onOpen)
    }
  }, [])

  useEffect(() => {
    if (open) input.current?.focus()
  }, [open])

  useEffect(() => {
    if (!open) return
    const q = query.trim()
    const controller = new AbortController()
    const timer = setTimeout(async () => {
      if (q.length < 2) {
        setHits([])
        setStatus(q ? 'Type at least two characters.' : '')
        return
      }
      try {
        const response = await fetch(`/api/search?q=${encodeURIComponent(q)}`, { signal: controller.signal })
        const body = (await response.json()) as { hits?: Hit[]; error?: string }
        const next = body.hits ?? []
        // The answer the arrow keys chose stays chosen when a later answer still has it (a slower search for the
        // same text, the next letter typed); otherwise the first answer is.
        const chosen = shown.current.hits[shown.current.active]
        const kept = chosen ? next.findIndex((hit) => hit.link === chosen.link && hit.label === chosen.label) : -1
        setHits(next)
        setActive(Math.max(kept, 0))
        setStatus(body.error ?? `${body.hits?.length ?? 0} found`)
      } catch (error) {
        if (!controller.signal.aborted) setStatus(`Search failed: ${String(error)}`)
      }
    }, 150)
    return () => {
      clearTimeout(timer)
      controller.abort()
    }
  }, [query, open])

  const go = (hit: Hit | undefined) => {
    if (!hit) return
    setOpen(false)
    router.push(hit.link)
  }

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault()
      close()
    } else if (event.key === 'ArrowDown') {
      event.preventDefault()
      setActive((i) => Math.min(i + 1, hits.length - 1))
    } else if (event.key === 'ArrowUp') {
      event.preventDefault()
      setActive((i) => Math.max(i - 1, 0))
    } else if (event.key === 'Enter' && event.target === input.current) {
      event.preventDefault()
      go(hits[active])
    } else if (event.key === 'Tab') {
      // The focus trap: Tab and Shift-Tab cycle through the dialog's own controls.
      const focusable = [...(dialog.current?.querySelectorAll<HTMLElement>('input, button, a[href]') ?? [])]
      if (focusable.length === 0) return
      const first = focusable[0]!
      const last = focusable[focusable.length - 1]!
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault()
        last.focus()
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault()
        first.focus()
      }
    }
  }

  if (!open) return null
  return (
    <div className="fixed inset-0 z-50 flex items-start justify-center bg-slate-900/40 pt-24" onMouseDown={close}>
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="w-full max-w-2xl rounded-lg bg-white dark:bg-slate-900 shadow-2xl"
        onMouseDown={(event) => event.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} className="sr-only">
          Search the fleet
        </h2>
        <input
          ref={input}
          type="search"
          role="combobox"
          aria-label="Search the fleet: a MAC, an IP address, a guest, a network, a host port"
          aria-expanded={hits.length > 0}
          aria-controls={listId}
          aria-activedescendant={hits.length ? `${listId}-${active}` : undefined}
          placeholder="MAC, IP address, guest, network, host port…"
          className="w-full rounded-t-lg border-b border-slate-200 dark:border-slate-700 px-4 py-3 text-base outline-none"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <ul id={listId} role="listbox" aria-label="Where it lives" className="max-h-96 overflow-y-auto py-1">
          {hits.map((hit, index) => (
            <li
              key={`${hit.link}|${hit.label}`}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={`cursor-pointer px-4 py-2 text-sm ${index === active ? 'bg-sky-100 dark:bg-sky-900' : ''}`}
              onMouseEnter={() => setActive(index)}
              onClick={() => go(hit)}
            >
              <span className="badge mr-2 bg-slate-100 dark:bg-slate-800 text-slate-700 dark:text-slate-300">
                {hit.kind}
              </span>
              {hit.label}
            </li>
          ))}
        </ul>
        <p
          className="border-t border-slate-200 dark:border-slate-700 px-4 py-2 text-xs text-slate-500 dark:text-slate-400"
          role="status"
        >
          {status || '↑ ↓ to choose, Enter to open, Esc to close'}
        </p>
      </div>
    </div>
  )
}

/** The sidebar's way into the palette, for those who do not know Ctrl-K. */
export function SearchButton() {
  return (
    <button
      type="button"
      className="flex w-full items-center justify-between rounded px-2 py-1.5 text-left hover:bg-slate-800 hover:text-white"
      onClick={() => window.dispatchEvent(new Event('virtnet:search'))}
    >
      Search <kbd className="rounded bg-slate-800 px-1 text-xs text-slate-300">Ctrl K</kbd>
    </button>
  )
}
