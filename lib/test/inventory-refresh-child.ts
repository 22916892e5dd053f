// One dashboard process among several sharing the database, for lib/inventory/refresh.itest.ts: says "ready", waits
// for "go" on stdin, then refreshes one host's inventory and prints the outcome ('refreshed' or 'busy').
// Run: node --conditions=react-server --import tsx lib/test/inventory-refresh-child.ts HOST_ID
import readline from 'node:readline'
import { refreshInventory } from '@/lib/inventory/refresh'
import { db } from '@/lib/db/client'

const [hostId] = process.argv.slice(2) as [string]
await db.$queryRaw`SELECT 1` // open the database before the start, so both processes race from the same instant
console.log('ready')
const lines = readline.createInterface({ input: process.stdin })
for await (const line of lines) if (line === 'go') break
console.log(JSON.stringify({ outcome: await refreshInventory(hostId) }))
lines.close()
process.exit(0)
