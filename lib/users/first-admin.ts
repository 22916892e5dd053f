import 'server-only'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { dataDir } from '@/lib/config/paths'
import { generatePassword, hashPassword } from '@/lib/auth/password'
import { recordAudit } from '@/lib/audit/record'

export const firstAdminFile = () => path.join(dataDir, 'first-admin.txt')

/**
 * On first start there is nobody to sign in as: create an admin with a random password and print it once.
 * It is also left in data/first-admin.txt (mode 600) so a start in the background does not lose it; the file is
 * removed as soon as that admin changes the password (forgetFirstAdminPassword).
 */
export async function ensureFirstAdmin(): Promise<{ username: string; password: string } | null> {
  if ((await db.user.count()) > 0) return null
  const username = 'admin'
  const password = process.env.VIRTNET_ADMIN_PASSWORD ?? generatePassword()
  const user = await db.user.create({ data: { username, role: 'admin', passwordHash: await hashPassword(password) } })
  await recordAudit({
    actor: { id: null, username: '(system)' },
    action: 'user.create',
    target: username,
    params: { username, role: 'admin', reason: 'first start' },
    result: 'success',
  })
  const file = firstAdminFile()
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  fs.writeFileSync(file, `username: ${username}\npassword: ${password}\n`, { mode: 0o600 })
  console.log(
    `\n  First admin created: user "${username}", password "${password}"\n  (also saved in ${file}, which is removed` +
      ` once ${username} changes the password)\n`,
  )
  return { username: user.username, password }
}

/** The first admin chose a password of their own: the generated one, left on disk, goes. */
export function forgetFirstAdminPassword(username: string, file = firstAdminFile()): boolean {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return false
  }
  if (!text.startsWith(`username: ${username}\n`)) return false
  fs.rmSync(file, { force: true })
  return true
}
