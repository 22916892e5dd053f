// A dashboard replica appending to the audit chain, for lib/audit/chain-race.itest.ts. It reads the chain's tip and
// says "ready"; on "go" (sent to every child at once) it first appends one record chained to that tip directly, as a
// replica that read the same tip at the same moment as another would (the unique prevHash lets one of them in), then
// `count` records through recordAudit, which retries on the new tip when it loses. Prints one JSON line: whether its
// direct append got in, and the ids of the records recordAudit wrote.
// Run: node --conditions=react-server --import tsx lib/test/audit-append-child.ts LABEL COUNT
import { once } from 'node:events'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'
import { recordAudit } from '@/lib/audit/record'
import { chainHash, type ChainedFields } from '@/lib/audit/chain'
import { sealKeyForWriting, sealOf } from '@/lib/audit/seal'

const [label = 'child', count = '10'] = process.argv.slice(2)
const actor = { id: null, username: `vnpg-race-${label}` }

const tip = await db.auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' }, select: { hash: true } })
const key = sealKeyForWriting()
console.log('ready')
await once(process.stdin, 'data')

const fields: ChainedFields = {
  at: new Date(),
  actorId: null,
  actorName: actor.username,
  hostId: null,
  hostName: null,
  action: 'itest.race.fork',
  target: label,
  params: '{}',
  commands: '[]',
  result: 'success',
  error: null,
  prevHash: tip.hash,
}
const hash = chainHash(fields)
let fork: 'appended' | 'refused'
try {
  await db.auditEvent.create({ data: { ...fields, hash, seal: sealOf(key.key, hash) } })
  fork = 'appended'
} catch (error) {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error
  fork = 'refused'
}

const ids: number[] = []
for (let i = 0; i < Number(count); i++)
  ids.push(await recordAudit({ actor, action: 'itest.race', target: `${label} ${i}`, result: 'success' }))
console.log(JSON.stringify({ fork, ids }))
process.exit(0)
