// A trivial command through the kept host session versus a fresh SSH exec channel per command, same run.
import { run, runViaExecChannel, sh, type HostTarget } from '@/lib/ssh'
import { percentile, report } from './stats'

export async function benchSsh(host: HostTarget) {
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
}
