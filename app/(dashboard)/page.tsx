import { redirect } from 'next/navigation'
import { currentUser } from '@/lib/auth/session'
import { allows } from '@/lib/auth/authorize'

export default async function Home() {
  const user = await currentUser()
  if (!user) redirect('/login')
  redirect(allows(user, 'viewHosts') ? '/hosts' : allows(user, 'selfService') ? '/my' : '/account')
}
