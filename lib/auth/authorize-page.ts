import 'server-only'
import { forbidden, redirect } from 'next/navigation'
import { allows } from '@/lib/auth/authorize'
import type { Permission } from '@/lib/auth/roles'
import { currentUser, type SessionUser } from '@/lib/auth/session'
import { countRefusedRequest } from '@/lib/telemetry/metrics'

/** For pages: redirect to the login page when signed out, 403 when the role does not allow it. */
export async function authorizePage(permission: Permission): Promise<SessionUser> {
  const user = await currentUser()
  if (!user) {
    countRefusedRequest('signed_out')
    redirect('/login')
  }
  if (!allows(user, permission)) {
    countRefusedRequest('forbidden')
    forbidden()
  }
  return user
}
