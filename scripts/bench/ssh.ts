// A trivial command through the kept host session versus a fresh SSH exec channel per command, same run; and how soon
// a page read of a host that silently stopped answering gives up.
import { listNetworks } from '@/lib/libvirt/read-networks'
import { HostUnreachableError, run, runViaExecChannel, sh, type HostTarget } from '@/lib/ssh'
import { blackHoleHostBSsh } from '@/lib/test/lab'
import { percentile, report } from './stats'

export async function benchSsh(host: HostTarget, hostB: HostTarget) {
  const command = sh`true`
  await run(host, command) // connect and warm the channel pool outside the measurement
  const session: number[] = []
  for (let i = 0; i < 500; i++) session.push((await run(host, command)).durationMs)
  const perCommand: number[] = []
  for (let i = 0; i < 30; i++) perCommand.push((await runViaExecChannel(host, command)).durationMs)
  const sessionP50 = percentile(session, 50)
  const execP50 = percentile(perCommand, 50)
  report('ssh.session_p50_ms', sessionP50, 'ms')
  report('ssh.session_p95_ms', percentile(session, 95), 'ms')
  report('ssh.exec_per_command_p50_ms', execP50, 'ms')
  report('ssh.exec_per_command_p95_ms', percentile(perCommand, 95), 'ms')
  report('ssh.speedup', execP50 / sessionP50, '×')
  await benchBlackHole(hostB)
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
