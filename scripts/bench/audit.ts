// Server time of the audit page with 100,000 records: the production build over HTTP, an auditor's session cookie, a
// chain of 100,000 sealed records written straight into the bench database (as the dashboard would have appended them).
import Database from 'better-sqlite3'
import { databaseFile } from '@/lib/db/url'
import { chainHash, genesisHash, type ChainedFields } from '@/lib/audit/chain'
import { noteFirstSealed, sealKeyForWriting, sealOf } from '@/lib/audit/seal'
import { writeCheckpoint } from '@/lib/audit/checkpoint'
import { sessionCookieName } from '@/lib/auth/cookie'
import { benchSession, startServer } from './networks-page'
import { percentile, report } from './stats'

const count = 100_000
const actors = ['alice', 'bob', 'carol', 'dave', '(anonymous)']
const hosts = ['lab-a', 'lab-b', 'edge-1']
const actions = ['network.start', 'network.stop', 'forward.add', 'forward.remove', 'dhcp.save', 'host.check']

/** Appends `count` records the way lib/audit/record.ts does (hash chain, seal, tip checkpoint), in one transaction. */
function writeRecords() {
  const key = sealKeyForWriting()
  const sqlite = new Database(databaseFile())
  const insert = sqlite.prepare(
    `INSERT INTO AuditEvent (at, actorId, actorName, hostId, hostName, action, target, params, commands, result, error, prevHash, hash, seal)
     VALUES (@at, @actorId, @actorName, @hostId, @hostName, @action, @target, @params, @commands, @result, @error, @prevHash, @hash, @seal)`,
  )
  const start = Date.now() - count * 1000
  // The chain goes on from whatever the bench's earlier groups recorded (their own actions are audited too).
  const tip = sqlite.prepare('SELECT hash FROM AuditEvent ORDER BY id DESC LIMIT 1').get() as
    { hash: string } | undefined
  const before = (sqlite.prepare('SELECT COUNT(*) AS n FROM AuditEvent').get() as { n: number }).n
  let prevHash = tip?.hash ?? genesisHash
  let last = { id: 0, hash: prevHash, at: '' }
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const refused = i % 10 === 0
      const fields: ChainedFields = {
        at: new Date(start + i * 1000),
        actorId: null,
        actorName: actors[i % actors.length]!,
        hostId: null,
        hostName: hosts[i % hosts.length]!,
        action: actions[i % actions.length]!,
        target: `bench-${i % 500}`,
        params: JSON.stringify({ hostId: 'h', name: `bench-${i % 500}`, hostPort: String(20000 + (i % 1000)) }),
        commands: refused
          ? '[]'
          : JSON.stringify([
              { command: `virsh net-start bench-${i % 500}`, exitCode: 0, stdout: '', stderr: '', durationMs: 41 },
            ]),
        result: refused ? 'refused' : 'success',
        error: refused ? 'Your role (auditor) does not allow this.' : null,
        prevHash,
      }
      const hash = chainHash(fields)
      // Stored as Prisma stores a DateTime in SQLite.
      const at = fields.at.toISOString().replace('Z', '+00:00')
      const row = insert.run({ ...fields, at, hash, seal: sealOf(key.key, hash) })
      prevHash = hash
      last = { id: Number(row.lastInsertRowid), hash, at: fields.at.toISOString() }
    }
  })()
  sqlite.close()
  noteFirstSealed(1)
  writeCheckpoint('tip', key.key, last)
  return before + count
}

export async function benchAuditPage(port = 3211) {
  const total = writeRecords()
  const token = await benchSession('bench-auditor', 'auditor')
  const server = await startServer(port)
  try {
    const get = async () => {
      const t0 = performance.now()
      const response = await fetch(`http://127.0.0.1:${port}/audit`, {
        headers: { cookie: `${sessionCookieName}=${token}` },
      })
      const body = await response.text()
      if (!response.ok || !body.includes(`Chain verified: ${total} records intact`))
        throw new Error(`audit page answered ${response.status} without ${total} verified records`)
      return performance.now() - t0
    }
    // The first view verifies the whole chain (no `verified` checkpoint yet); every later one starts from it.
    report('audit.page100k_first_ms', await get(), 'ms')
    const samples: number[] = []
    for (let i = 0; i < 15; i++) samples.push(await get())
    report('audit.page100k_ms', percentile(samples, 50), 'ms')
    report('audit.page100k_p95_ms', percentile(samples, 95), 'ms')
  } finally {
    process.kill(-server.pid!, 'SIGTERM')
  }
}
