// Several replicas: how long a job whose replica is killed (SIGKILL) waits before another replica takes it over, and
// what one host's kept SSH session costs a replica in memory.
import { spawn } from 'node:child_process'
import v8 from 'node:v8'
import vm from 'node:vm'
import { closeAllSessions, run, sh, type HostTarget } from '@/lib/ssh'
import { db } from '@/lib/db/client'
import { takeOverStaleJobs } from '@/lib/jobs/takeover'
import { heartbeatMs } from '@/lib/jobs/replica'
import { requireConnectableHost } from '@/lib/hosts/store'
import { report } from './stats'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * jobs.failover_ms: a child replica runs a job on host B and is killed while its wait step runs; this process plays
 * the surviving replica, looking every heartbeat as the boot-time watch does (lib/jobs/takeover.ts). Measured from the
 * kill to the job marked interrupted and this replica's (the takeover; re-reading and undoing follow).
 */
export async function benchFailover() {
  const name = `vnpg-bench-fo-${process.pid}`
  const input = { name, bridge: `vnpgbf${process.pid % 250}`, ipv4Cidr: `10.239.${process.pid % 250}.0/24` }
  const holdFile = `/tmp/${name}.hold`
  const hostB = await db.host.findFirstOrThrow({ where: { name: 'lab-b' } })
  const { target } = await requireConnectableHost(hostB.id)
  await run(target, sh`touch ${holdFile}`)
  const child = spawn(
    process.execPath,
    [
      '--conditions=react-server',
      '--import',
      'tsx',
      'lib/test/interrupted-job-child.ts',
      JSON.stringify({ ...input, holdFile }),
    ],
    {
      env: { ...process.env, VIRTNET_REPLICA_NAME: `vnpg-bench-dead-${process.pid}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  try {
    let jobId: string | undefined
    for (const end = Date.now() + 120_000; !jobId; await sleep(100)) {
      if (Date.now() > end) throw new Error('the bench replica did not start its job')
      const id = stdout.match(/"jobId":"([^"]+)"/)?.[1]
      if (id && (await db.jobStep.findFirst({ where: { jobId: id, position: 2, status: 'running' } }))) jobId = id
    }
    const exited = new Promise((resolve) => child.on('exit', resolve))
    const killedAt = performance.now()
    child.kill('SIGKILL')
    await exited
    const targetOf = async (hostId: string) => (await requireConnectableHost(hostId)).target
    for (const end = Date.now() + 60_000; ; await sleep(heartbeatMs)) {
      if (Date.now() > end) throw new Error('no takeover within a minute')
      const { rechecked } = await takeOverStaleJobs(targetOf)
      const job = await db.job.findUnique({ where: { id: jobId } })
      if (job?.status === 'interrupted') {
        report('jobs.failover_ms', performance.now() - killedAt, 'ms')
        await rechecked
        break
      }
    }
  } finally {
    child.kill('SIGKILL')
    await run(
      target,
      sh`rm -f ${holdFile}; virsh -q net-destroy ${name} 2>/dev/null; virsh -q net-undefine ${name} 2>/dev/null; true`,
    )
  }
}

/**
 * ssh.session_kib_per_host: what one host's kept SSH session costs a replica. This process keeps `count` sessions
 * open, as a replica talking to `count` hosts does (sessions are kept per host id, so the lab hosts under `count` ids
 * give `count` connections, each with its shell channel and watchdog), and compares its memory with none open:
 * heap, external and array buffers (ssh2's objects and buffers, the crypto state Node accounts for), per session. A
 * first round opened and closed before measuring keeps the loading of ssh2 and the crypto code out of the figure. The
 * resident set is no measure here: it falls between the two readings by more than the sessions add (V8 hands the
 * pages of the first round's garbage back to the system lazily), so it came out negative.
 */
export async function benchSessionMemory(hosts: HostTarget[], count = 24) {
  // A heap measure means nothing without collecting first: expose gc in this process.
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const measure = async () => {
    // Let closed sockets and timers settle, then collect twice (weak references are cleared in the second pass).
    await sleep(1000)
    gc()
    gc()
    const memory = process.memoryUsage()
    return memory.heapUsed + memory.external + memory.arrayBuffers
  }
  const targets = Array.from({ length: count }, (_, i) => {
    const host = hosts[i % hosts.length]!
    return { ...host, id: `${host.id}-bench-session-${i}`, name: `${host.name ?? host.id}-bench-${i}` }
  })
  const openAll = async (sessions: HostTarget[]) => {
    for (const target of sessions) await run(target, sh`true`)
  }
  await openAll(targets.slice(0, hosts.length))
  await closeAllSessions()
  // Measured twice: the first collection returns what the first round left; the second is the steady state.
  await measure()
  const before = await measure()
  await openAll(targets)
  const after = await measure()
  await closeAllSessions()
  report('ssh.session_kib_per_host', (after - before) / count / 1024, 'KiB')
}
