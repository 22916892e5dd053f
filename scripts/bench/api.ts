// The API over HTTP against the production build and lab host B, with a read-write token: one forward added through
// POST /api/v1/hosts/{host}/forwards until it is live (the answer comes once its rule is applied; the rule is then
// checked on the host), and the listing of a host's 1,000 forwards.
import { benchForwardTable } from './forward-table'
import { db } from '@/lib/db/client'
import { createApiToken } from '@/lib/auth/api-tokens'
import { run, sh, type HostTarget } from '@/lib/ssh'
import type { HostRow } from '@/lib/hosts/store'
import { removeForward } from '@/lib/forwards/changes'
import { createLibvirtParts, describeFixture, removeAll } from '@/lib/test/forward-lab'
import { benchSession, startServer } from './networks-page'
import { percentile, report } from './stats'

export async function benchApi(hostRow: HostRow, host: HostTarget, port = 3212) {
  const tag = process.pid + 211
  const n = (tag % 200) + 20
  const f = { ...describeFixture(tag), network: `vnapi-bn${n}`, bridge: `vnapibb${n}`, guestName: `vnapi-bg${n}` }
  removeAll(f)
  createLibvirtParts(f)
  await benchSession('bench-api', 'operator')
  const user = await db.user.findUniqueOrThrow({ where: { username: 'bench-api' } })
  const { secret } = await createApiToken(
    { id: user.id, username: user.username, role: 'operator' },
    { name: 'bench', scope: 'write', expiresInDays: 1 },
  )
  const server = await startServer(port)
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`)
    return JSON.parse(text) as { forward?: { id: string } }
  }
  try {
    const samples: number[] = []
    for (let i = 0; i < 5; i++) {
      const hostPort = 24000 + (process.pid % 400) + i
      const t0 = performance.now()
      const answer = await api('POST', `/api/v1/hosts/${hostRow.name}/forwards`, {
        guest: f.guestName,
        protocol: 'tcp',
        hostPort: String(hostPort),
        guestPort: '80',
      })
      samples.push(performance.now() - t0)
      const rules = (await run(host, sh`iptables -w 5 -t nat -S`)).stdout
      if (!rules.includes(`--dport ${hostPort} `)) throw new Error(`the forward of port ${hostPort} is not live`)
      await api('DELETE', `/api/v1/hosts/${hostRow.name}/forwards/${answer.forward!.id}`)
    }
    report('api.forward_add_ms', percentile(samples, 50), 'ms')

    // 1,000 rows as the table keeps them (listing reads the database, not the host).
    await db.portForward.createMany({
      data: benchForwardTable(f, hostRow.id, { idPrefix: 'bench-api-', firstHostPort: 40000 }),
    })
    const lists: number[] = []
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now()
      const listed = (await api('GET', `/api/v1/hosts/${hostRow.name}/forwards`)) as unknown as unknown[]
      lists.push(performance.now() - t0)
      if (listed.length < 1000) throw new Error(`the listing has ${listed.length} forwards, not 1,000`)
    }
    report('api.forwards1000_list_ms', percentile(lists, 50), 'ms')
  } finally {
    process.kill(-server.pid!, 'SIGTERM')
    await db.portForward.deleteMany({ where: { id: { startsWith: 'bench-api-' } } })
    for (const row of await db.portForward.findMany({ where: { hostId: hostRow.id, guestName: f.guestName } }))
      await removeForward(hostRow, host, row.id).catch(() => undefined)
    removeAll(f)
  }
}
