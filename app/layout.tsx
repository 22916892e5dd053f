import type { Metadata } from 'next'
import { headers } from 'next/headers'
import { toastStackId } from '@/app/ui/toast-stack'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'Virtnet', template: '%s · Virtnet' },
  description: 'libvirt host networking from the browser',
  icons: { icon: '/icon.svg' },
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Each response's Content-Security-Policy carries a fresh nonce (proxy.ts), so no page may be prerendered once and
  // served to all: reading the request's headers makes every page render per request.
  await headers()
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-100 dark:bg-slate-950 font-sans text-slate-900 dark:text-slate-100 antialiased">
        {children}
        {/* Toasts stack here, newest at the bottom, instead of covering each other (app/ui/action-button.tsx) */}
        <div
          id={toastStackId}
          className="pointer-events-none fixed right-4 bottom-4 z-50 flex max-h-screen flex-col items-end gap-2 overflow-hidden"
        />
      </body>
    </html>
  )
}
