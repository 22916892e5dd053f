// A replica looking for jobs whose replica died, for lib/jobs/claim-race.itest.ts: connects, says "ready", claims
// once a line arrives on stdin (the test sends it to every child at once), prints the ids it won as JSON and exits.
// Run: node --conditions=react-server --import tsx lib/test/claim-stale-child.ts
import { once } from 'node:events'
import { db } from '@/lib/db/client'
import { claimStaleJobs } from '@/lib/jobs/takeover'

await db.job.count() // connect before the start, so every process claims at the same moment
console.log('ready')
await once(process.stdin, 'data')
const claimed = await claimStaleJobs({ ownPredecessors: false })
console.log(JSON.stringify(claimed.map((job) => job.id)))
process.exit(0)
