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

/** ssh.session_kib_per_host: this process's memory with the lab hosts' sessions open, less without, per host. */
export async function benchSessionMemory(hosts: HostTarget[]) {
  // A heap measure means nothing without collecting first: expose gc in this process.
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const used = () => {
    gc()
    const memory = process.memoryUsage()
    return memory.heapUsed + memory.external + memory.arrayBuffers
  }
  await closeAllSessions()
  await sleep(500)
  const before = used()
  for (const host of hosts) await run(host, sh`true`)
  const after = used()
  report('ssh.session_kib_per_host', (after - before) / hosts.length / 1024, 'KiB')
}
