// Server response time of the networks page for a host with 50 networks: the production build over HTTP, a
// session cookie for a real user, 50 defined networks on lab host B.
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { db } from '@/lib/db/client'
import { databaseProvider } from '@/lib/db/url'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'
import { buildNatNetworkXml } from '@/lib/libvirt-xml/network-build'
import { hashPassword } from '@/lib/auth/password'
import { sessionCookieName } from '@/lib/auth/cookie'
import type { Role } from '@/lib/auth/roles'
import { percentile, report } from './stats'

const count = 50
const names = Array.from({ length: count }, (_, i) => `bench-${String(i).padStart(2, '0')}`)

async function defineNetworks(host: HostTarget) {
  for (const [i, name] of names.entries()) {
    const xml = buildNatNetworkXml({ name, bridge: `vbb${i}`, ipv4Cidr: `10.240.${i}.0/24` })
    await run(host, virsh('net-define', '--file', '/dev/stdin'), { stdin: xml })
  }
}

async function removeNetworks(host: HostTarget) {
  await virshBatch(
    host,
    names.map((name) => ['net-undefine', '--network', name]),
  )
}

export async function startServer(port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  // A server another checkout's bench left on this port would answer in place of ours, on its own database.
  const taken = await fetch(`http://127.0.0.1:${port}/login`).then(
    () => true,
    () => false,
  )
  if (taken)
    throw new Error(`port ${port} is in use: stop whatever listens there, or bench from one checkout at a time`)
  const server = spawn('npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  })
  // Nobody reads the server's log: drained, so a full pipe never blocks the server's writes.
  server.stdout?.resume()
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/login`)).ok) return server
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error('next start did not come up')
}

/** A session cookie value for a bench user of `role` (created on first use), valid for an hour. */
export async function benchSession(username: string, role: Role): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const user = await db.user.upsert({
    where: { username },
    create: { username, role, passwordHash: await hashPassword(randomBytes(16).toString('hex')) },
    update: {},
  })
  await db.session.create({
    data: {
      id: createHash('sha256').update(token).digest('hex'),
      userId: user.id,
      expiresAt: new Date(Date.now() + 3600_000),
    },
  })
  return token
}

// VIRTNET_BENCH_PORT moves the server (two checkouts benching on one machine).
export async function benchNetworksPage(
  hostRow: { id: string },
  host: HostTarget,
  port = Number(process.env.VIRTNET_BENCH_PORT ?? 3200),
) {
  await removeNetworks(host)
  await defineNetworks(host)
  const token = await benchSession('bench', 'operator')
  const server = await startServer(port)
  try {
    const url = `http://127.0.0.1:${port}/hosts/${hostRow.id}/networks`
    const get = async () => {
      const t0 = performance.now()
      const response = await fetch(url, { headers: { cookie: `${sessionCookieName}=${token}` } })
      const body = await response.text()
      if (!response.ok || !body.includes('bench-49'))
        throw new Error(`networks page answered ${response.status} without the 50 networks`)
      return performance.now() - t0
    }
    await get()
    const samples: number[] = []
    for (let i = 0; i < 15; i++) samples.push(await get())
    // On PostgreSQL (VIRTNET_BENCH_DATABASE_URL, scripts/bench/run.sh) the same page is pg.page_networks50_ms.
    const name = databaseProvider() === 'postgresql' ? 'pg.page_networks50' : 'page.networks50'
    report(`${name}_ms`, percentile(samples, 50), 'ms')
    report(`${name}_p95_ms`, percentile(samples, 95), 'ms')
  } finally {
    process.kill(-server.pid!, 'SIGTERM')
    await removeNetworks(host)
    await run(host, sh`true`)
  }
}
