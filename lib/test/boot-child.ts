// The dashboard's start-up (lib/boot/boot.ts, what instrumentation.ts runs) on whatever database the environment
// names, for the backup and upgrade tests: prints one JSON line with what a started dashboard then sees.
// Run: node --conditions=react-server --import tsx lib/test/boot-child.ts
import { boot } from '@/lib/boot/boot'
import { db } from '@/lib/db/client'
import { dashboardIdentity } from '@/lib/ssh/identity'
import { verifyAuditChain } from '@/lib/audit/verify'

await boot()
const chain = await verifyAuditChain()
const users = await db.user.findMany({ select: { username: true, role: true }, orderBy: { username: 'asc' } })
const jobs = await db.job.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } })
console.log(JSON.stringify({ publicKey: dashboardIdentity().publicKey, chain, users, jobs }))
process.exit(0)
