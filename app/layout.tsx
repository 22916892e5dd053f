import type { Metadata } from 'next'
import { headers } from 'next/headers'
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
      <body className="min-h-screen bg-slate-100 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  )
}
