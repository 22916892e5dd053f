// A dashboard that keeps writing, for scripts/backup.itest.ts: appends audit records (and a login attempt) one after
// another until it is told to stop (SIGTERM), printing how many it has written so far after each one.
// Run: node --conditions=react-server --import tsx lib/test/audit-writer-child.ts
import { db } from '@/lib/db/client'
import { recordAudit } from '@/lib/audit/record'

let stopping = false
process.on('SIGTERM', () => {
  stopping = true
})

let written = 0
while (!stopping) {
  await recordAudit({
    actor: { id: null, username: 'vnp-writer' },
    action: 'itest.backup.write',
    target: `record ${written}`,
    params: { n: written },
    result: 'success',
  })
  await db.loginThrottle.upsert({
    where: { username_clientIp: { username: 'vnp-writer', clientIp: '127.0.0.1' } },
    create: {
      username: 'vnp-writer',
      clientIp: '127.0.0.1',
      failures: written,
      lastAttemptAt: Date.now(),
      nextAllowedAt: 0,
    },
    update: { failures: written, lastAttemptAt: Date.now() },
  })
  written++
  console.log(written)
  // The database calls can resolve without ever leaving the microtask queue: yield so the signal and stdout get a turn.
  await new Promise((resolve) => setImmediate(resolve))
}
console.log('stopped')
process.exit(0)
