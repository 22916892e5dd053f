import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'

// What the users page reads; nothing here changes the database (that is changes.ts).

/** Every user with their self-service limits and assigned guests, and the hosts a guest can be assigned on. */
export async function usersPageData() {
  await authorize('manageUsers')
  const [users, hosts, policy] = await Promise.all([
    db.user.findMany({
      orderBy: { username: 'asc' },
      include: {
        selfServiceLimit: true,
        selfServiceGuests: { include: { host: true }, orderBy: { guestName: 'asc' } },
      },
    }),
    db.host.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db.secondFactorPolicy.findMany(),
  ])
  return { users, hosts, rolesRequiringSecondFactor: new Set(policy.map((row) => row.role)) }
}
