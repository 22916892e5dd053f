import Link from 'next/link'
import { redirect } from 'next/navigation'
import { currentUser } from '@/lib/auth/session'
import { allows } from '@/lib/auth/authorize'
import { roleLabels } from '@/lib/auth/roles'
import { db } from '@/lib/db/client'
import { healthOf } from '@/lib/hosts/store'
import { logout } from '@/app/login/actions'
import { HealthDot } from '@/app/ui/health-dot'
import { CommandPalette, SearchButton } from '@/app/ui/command-palette'
import { CollapsibleNav } from '@/app/ui/collapsible-nav'

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser()
  if (!user) redirect('/login')
  const hosts = allows(user, 'viewHosts') ? await db.host.findMany({ orderBy: { name: 'asc' } }) : []
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <CollapsibleNav
        brand={
          <Link href="/" className="flex items-center gap-2 px-4 py-4 text-lg font-semibold text-white">
            {/* eslint-disable-next-line @next/next/no-img-element -- a static SVG needs no image optimisation */}
            <img src="/icon.svg" alt="" width={24} height={24} />
            Virtnet
          </Link>
        }
      >
        <ul className="space-y-0.5 px-2 text-sm">
          {allows(user, 'viewHosts') && <NavLink href="/">Fleet</NavLink>}
          {allows(user, 'viewHosts') && <NavLink href="/hosts">Hosts</NavLink>}
          {allows(user, 'viewJobs') && <NavLink href="/jobs">Jobs</NavLink>}
          {allows(user, 'viewAudit') && <NavLink href="/audit">Audit log</NavLink>}
          {allows(user, 'manageUsers') && <NavLink href="/users">Users</NavLink>}
          {allows(user, 'selfService') && <NavLink href="/my">My guests</NavLink>}
          <li>
            <SearchButton />
          </li>
        </ul>
        {hosts.length > 0 && (
          <div className="mt-6 px-2">
            <h2 className="px-2 text-xs font-semibold uppercase tracking-wide text-slate-400">Host health</h2>
            <ul className="mt-1 space-y-0.5 text-sm">
              {hosts.map((host) => (
                <li key={host.id}>
                  <Link
                    href={`/hosts/${host.id}`}
                    className="flex items-center gap-2 rounded px-2 py-1 hover:bg-slate-800"
                  >
                    <HealthDot health={healthOf(host)} pinned={Boolean(host.pinnedFingerprint)} />
                    <span className="truncate">{host.name}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="mt-auto border-t border-slate-800 p-4 text-sm">
          <Link href="/account" className="font-medium text-white hover:underline">
            {user.username}
          </Link>
          <p className="text-xs text-slate-400">{roleLabels[user.role]}</p>
          <form action={logout} className="mt-2">
            <button className="text-xs text-slate-300 underline hover:text-white">Sign out</button>
          </form>
        </div>
      </CollapsibleNav>
      <main className="min-w-0 flex-1 p-6">{children}</main>
      <CommandPalette />
    </div>
  )
}

function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <li>
      <Link href={href} className="block rounded px-2 py-1.5 hover:bg-slate-800 hover:text-white">
        {children}
      </Link>
    </li>
  )
}
