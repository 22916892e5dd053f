// Console user management for operators (and the e2e fixtures): the password is read from stdin, never argv.
//   npx tsx --conditions=react-server scripts/users.ts create NAME ROLE < password-file
//   npx tsx --conditions=react-server scripts/users.ts set-password NAME < password-file
//   npx tsx --conditions=react-server scripts/users.ts delete NAME
import { createUser, deleteUser, setPassword } from '@/lib/auth/users'
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
  if (!username) throw new Error('usage: users.ts create NAME ROLE | set-password NAME | delete NAME')
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
    await recordAudit({
      actor: console_,
      action: 'user.set-password',
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
