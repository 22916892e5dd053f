// Log-in throttling under parallel guessing: 50 wrong passwords for one user from one client, all sent at once, the
// way the login action checks them (throttling slot, then scrypt). How many were actually checked is the figure
// (issue 11: at most 5); and what one check of a password costs at today's scrypt parameters.
import { db } from '@/lib/db/client'
import { createUser } from '@/lib/auth/users'
import { checkLogin } from '@/lib/auth/login'
import { report } from './stats'

export async function benchLogin() {
  const username = `bench-login-${process.pid}`
  const password = 'bench-login-password-1'
  const user = await createUser(username, 'operator', password)
  try {
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => checkLogin(username, 'a-wrong-password', '192.0.2.50')),
    )
    report('login.parallel_guesses_passed', outcomes.filter((o) => o.outcome !== 'throttled').length, 'of 50')
    const t0 = performance.now()
    const signedIn = await checkLogin(username, password, '192.0.2.51')
    if (signedIn.outcome !== 'signed-in') throw new Error(`The right password was refused: ${signedIn.outcome}`)
    report('login.check_ms', performance.now() - t0, 'ms')
  } finally {
    await db.loginThrottle.deleteMany({ where: { username: { in: [username, ''] } } })
    await db.user.delete({ where: { id: user.id } })
  }
}
