// A trivial command through the kept host session versus a fresh SSH exec channel per command, same run; how soon a
// command's deadline, a cancel and a lost connection answer, and the host-side watchdog kills what was orphaned; how
// fast the framing parses output; and how soon a page read of a host that silently stopped answering gives up.
import { randomBytes } from 'node:crypto'
import { listNetworks } from '@/lib/libvirt/read-networks'
import {
  CommandCancelledError,
  CommandTimeoutError,
  HostUnreachableError,
  run,
  runViaExecChannel,
  sh,
  type HostTarget,
} from '@/lib/ssh'
import { FrameReader } from '@/lib/ssh/frame'
import { connectClient } from '@/lib/ssh/connect'
import type { ClientChannel } from 'ssh2'
import { blackHoleHostBSsh } from '@/lib/test/lab'
import { percentile, report } from './stats'

/**
 * The raw cost of a command on a kept channel: a bare `/bin/sh` on an exec channel of a connection of its own, one
 * `true` and an end marker per command (no framing, no deadline, no isolation), timed like run().
 */
async function rawShell(host: HostTarget) {
  const client = await connectClient(host)
  const channel = await new Promise<ClientChannel>((resolve, reject) =>
    client.exec('exec /bin/sh', (error, stream) => (error ? reject(error) : resolve(stream))),
  )
  let output = ''
  let waiting: (() => void) | null = null
  channel.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    if (output.endsWith('X\n')) waiting?.()
  })
  const once = () =>
    new Promise<number>((resolve) => {
      output = ''
      const t0 = performance.now()
      waiting = () => resolve(performance.now() - t0)
      channel.write("true; printf 'X\\n'\n")
    })
  return {
    once,
    close: () => {
      channel.close()
      client.end()
    },
  }
}

export async function benchSsh(host: HostTarget, hostB?: HostTarget) {
  const command = sh`true`
  await run(host, command) // connect and warm the channel pool outside the measurement
  const raw = await rawShell(host)
  const session: number[] = []
  const bare: number[] = []
  // Interleaved, so both see the same load.
  for (let i = 0; i < 500; i++) {
    session.push((await run(host, command)).durationMs)
    bare.push(await raw.once())
  }
  raw.close()
  report('ssh.raw_shell_p50_ms', percentile(bare, 50), 'ms')
  const perCommand: number[] = []
  for (let i = 0; i < 30; i++) perCommand.push((await runViaExecChannel(host, command)).durationMs)
  const sessionP50 = percentile(session, 50)
  const execP50 = percentile(perCommand, 50)
  report('ssh.session_p50_ms', sessionP50, 'ms')
  report('ssh.session_p95_ms', percentile(session, 95), 'ms')
  report('ssh.exec_per_command_p50_ms', execP50, 'ms')
  report('ssh.exec_per_command_p95_ms', percentile(perCommand, 95), 'ms')
  report('ssh.speedup', execP50 / sessionP50, '×')
  if (!hostB) return // `ssh-session`: the session figures alone, nothing that disturbs the shared lab
  benchFrameReader()
  await benchDeadlines(host)
  await benchBlackHole(hostB)
}

/** One stream of `mib` MiB through the frame parser, in milliseconds. */
function parseMs(mib: number): number {
  const nonce = 'a'.repeat(8) + '0123456789abcdef' + 'b'.repeat(8)
  const chunk = randomBytes(64 * 1024)
  const reader = new FrameReader(nonce, true)
  const started = performance.now()
  reader.push(Buffer.from(`\x1e${nonce}:b\n`, 'latin1'))
  for (let i = 0; i < mib * 16; i++) reader.push(chunk)
  reader.push(Buffer.from(`\x1e${nonce}:e 0\n`, 'latin1'))
  const length = reader.output().length
  const elapsed = performance.now() - started
  if (!reader.done || length !== mib * 1024 * 1024) throw new Error(`the frame parser lost output (${length} bytes)`)
  return elapsed
}

/** Output parsing throughput, and linearity: the time per MiB at 50 MiB over that at 5 MiB (1 = linear). */
function benchFrameReader() {
  parseMs(5) // warm up
  const small = percentile([parseMs(5), parseMs(5), parseMs(5)], 50)
  const large = percentile([parseMs(50), parseMs(50), parseMs(50)], 50)
  report('ssh.frame_parse_mib_per_s', 50 / (large / 1000), 'MiB/s')
  report('ssh.frame_parse_linearity', large / 50 / (small / 5), '×')
}

/** Whether `sleep <marker>` still runs on the host. */
async function sleeping(host: HostTarget, marker: string): Promise<boolean> {
  return (await run(host, sh`pgrep -f ${`^sleep ${marker}$`} || true`)).stdout !== ''
}

async function until(condition: () => Promise<boolean>, what: string, ms = 30_000) {
  for (const end = performance.now() + ms; !(await condition()); await new Promise((r) => setTimeout(r, 50)))
    if (performance.now() > end) throw new Error(`${what} did not happen within ${ms / 1000} s`)
}

async function rejection(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  )
  if (!(outcome instanceof type)) throw new Error(`expected a ${type.name}, got ${String(outcome)}`)
}

/**
 * A 1 s deadline (by how much the answer overshoots it), a cancel (from abort() to the rejection), a connection
 * killed under a running command (from the kill to the rejection), and the orphan it leaves: from the drop until the
 * host-side watchdog kills it (its deadline is 3 s plus a 2 s margin; the watchdog polls every 5 s while armed).
 */
async function benchDeadlines(host: HostTarget) {
  const marker = (n: number) => `${n}.${process.pid % 100_000}`
  let started = performance.now()
  await rejection(run(host, sh`sleep ${marker(30)}`, { timeoutMs: 1000 }), CommandTimeoutError)
  report('ssh.timeout_overshoot_ms', performance.now() - started - 1000, 'ms')

  const controller = new AbortController()
  const cancelled = run(host, sh`sleep ${marker(31)}`, { signal: controller.signal })
  await until(() => sleeping(host, marker(31)), 'the command to start')
  started = performance.now()
  controller.abort()
  await rejection(cancelled, CommandCancelledError)
  report('ssh.cancel_ms', performance.now() - started, 'ms')

  const dropHost = { ...host, id: 'bench-drop' }
  await run(dropHost, sh`true`)
  const orphan = run(dropHost, sh`sleep ${marker(32)}`, { timeoutMs: 3000 })
  await until(() => sleeping(host, marker(32)), 'the command to start')
  // This connection's own sshd session process (the first "sshd: user@notty" ancestor).
  const killOwnSshd = sh`p=$$; while [ "$p" -gt 1 ]; do if tr '\0' ' ' </proc/$p/cmdline | grep -q '^sshd: .*@notty'; then kill -9 $p; exit 0; fi; p=$(awk '{print $4}' /proc/$p/stat); done; exit 1`
  started = performance.now()
  await Promise.all([
    rejection(run(dropHost, killOwnSshd), HostUnreachableError),
    rejection(orphan, HostUnreachableError),
  ])
  report('ssh.connection_lost_ms', performance.now() - started, 'ms')
  await until(async () => !(await sleeping(host, marker(32))), 'the orphaned command to end')
  report('ssh.orphan_killed_s', (performance.now() - started) / 1000, 's')
}

/**
 * Host B's sshd black-holed (every packet dropped inside B) while the dashboard holds a session to it: the time until
 * a read of B's networks page answers with "cannot reach". Other users of host B see the same silence, so the rule
 * goes as soon as the read answered, on Ctrl-C too, and B's own timer removes it if this process dies.
 */
async function benchBlackHole(hostB: HostTarget) {
  await listNetworks(hostB) // the session the dashboard holds while it serves the host
  const exitOnSignal = () => process.exit(130) // exiting runs the rule's removal
  process.once('SIGINT', exitOnSignal)
  process.once('SIGTERM', exitOnSignal)
  const restore = blackHoleHostBSsh('bench-blackhole', 45)
  try {
    const t0 = performance.now()
    const outcome = await listNetworks(hostB).then(
      () => null,
      (error: unknown) => error,
    )
    const failMs = performance.now() - t0
    if (!(outcome instanceof HostUnreachableError))
      throw new Error(`A read of black-holed host B answered ${outcome ? String(outcome) : 'with its networks'}`)
    report('ssh.blackhole_fail_ms', failMs, 'ms')
  } finally {
    restore()
    process.off('SIGINT', exitOnSignal)
    process.off('SIGTERM', exitOnSignal)
  }
  await listNetworks(hostB) // and B answers again without anyone reconnecting by hand
}
