// Console user management for operators (and the e2e fixtures): the password is read from stdin, never argv.
//   npx tsx --conditions=react-server scripts/users.ts create NAME ROLE < password-file
//   npx tsx --conditions=react-server scripts/users.ts set-password NAME < password-file
//   npx tsx --conditions=react-server scripts/users.ts delete NAME
//   npx tsx --conditions=react-server scripts/users.ts set-role NAME ROLE
//   npx tsx --conditions=react-server scripts/users.ts disable NAME | enable NAME
// A new password, a new role or disabling ends every session the user holds.
import { createUser, deleteUser, setDisabled, setPassword, setRole } from '@/lib/auth/users'
import { forgetFirstAdminPassword } from '@/lib/users/first-admin'
import { isRole } from '@/lib/auth/roles'
import { recordAudit } from '@/lib/audit/record'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

const console_ = { id: null, username: '(console)' }

async function main() {
  const [verb, username, role] = process.argv.slice(2)
  if (!username)
    throw new Error(
      'usage: users.ts create NAME ROLE | set-password NAME | set-role NAME ROLE | disable NAME | enable NAME | delete NAME',
    )
  if (verb === 'create') {
    if (!role || !isRole(role)) throw new Error('Role must be admin, operator, auditor or selfservice.')
    await createUser(username, role, await readStdin())
    await recordAudit({
      actor: console_,
      action: 'user.create',
      target: username,
      params: { username, role },
      result: 'success',
    })
  } else if (verb === 'set-password') {
    await setPassword(username, await readStdin())
    if (forgetFirstAdminPassword(username)) console.log("Removed the first admin's generated password file.")
    await recordAudit({
      actor: console_,
      action: 'user.set-password',
      target: username,
      params: { username },
      result: 'success',
    })
  } else if (verb === 'set-role') {
    if (!role || !isRole(role)) throw new Error('Role must be admin, operator, auditor or selfservice.')
    await setRole(username, role)
    await recordAudit({
      actor: console_,
      action: 'user.set-role',
      target: username,
      params: { username, role },
      result: 'success',
    })
  } else if (verb === 'disable' || verb === 'enable') {
    await setDisabled(username, verb === 'disable')
    await recordAudit({
      actor: console_,
      action: `user.${verb}`,
      target: username,
      params: { username },
      result: 'success',
    })
  } else if (verb === 'delete') {
    await deleteUser(username)
    await recordAudit({
      actor: console_,
      action: 'user.delete',
      target: username,
      params: { username },
      result: 'success',
    })
  } else {
    throw new Error(`Unknown command ${verb}`)
  }
  console.log(`${verb}: ${username} done`)
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
