import 'server-only'
import { can, type Permission } from '@/lib/auth/roles'
import { currentUser, type SessionUser } from '@/lib/auth/session'
import { NotAuthorizedError } from '@/lib/core/errors'
import { countRefusedRequest } from '@/lib/telemetry/metrics'

export function allows(user: SessionUser, permission: Permission): boolean {
  return (can[permission] as readonly string[]).includes(user.role)
}

/** For server actions and data functions: the user, or a NotAuthorizedError the caller turns into a message. */
export async function authorize(permission: Permission): Promise<SessionUser> {
  const user = await currentUser()
  if (!user || !allows(user, permission)) {
    countRefusedRequest(user ? 'forbidden' : 'signed_out')
    throw new NotAuthorizedError(user, permission)
  }
  return user
}
