import { apiRoute } from '@/lib/api/route'
import { json } from '@/lib/api/json'
import { authorize } from '@/lib/auth/authorize'

/** Who the token acts as, and the token itself: what `virtnet login` checks. */
export const GET = apiRoute(async ({ token }) => {
  const user = await authorize('ownAccount')
  return json({ username: user.username, role: user.role, token: { name: token.name, scope: token.scope } })
})
