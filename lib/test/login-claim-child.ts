// One dashboard process among several sharing the database, for lib/auth/rate-limit.itest.ts: says "ready", waits
// for "go" on stdin, then claims COUNT log-in slots for one user name and client at once and prints how many it got.
// Run: node --conditions=react-server --import tsx lib/test/login-claim-child.ts USERNAME CLIENT COUNT
import readline from 'node:readline'
import { claimLoginAttempt } from '@/lib/auth/rate-limit'
import { db } from '@/lib/db/client'

const [username, client, count] = process.argv.slice(2) as [string, string, string]
await db.$queryRaw`SELECT 1` // open the database before the start, so every process starts claiming at once
console.log('ready')
const lines = readline.createInterface({ input: process.stdin })
for await (const line of lines) if (line === 'go') break
const slots = await Promise.all(Array.from({ length: Number(count) }, () => claimLoginAttempt(username, client)))
console.log(JSON.stringify({ allowed: slots.filter((slot) => slot.allowed).length }))
lines.close()
process.exit(0)
