import 'server-only'
import type { RawOutcome } from './channel'
import { CommandFailedError, commandLabel, endpointLabel } from './errors'
import { sshDebug, sshDebugEnabled } from './log'
import { countHostCommand, type CommandOutcome } from '@/lib/telemetry/metrics'
import { log, logContext } from '@/lib/telemetry/log'
import { measuringPhases, notePhase } from '@/lib/core/phases'
import { isShellCommand, type ShellCommand } from './quote'
import { emitCommandRecord, truncateForRecord } from './record'
import { DEFAULT_TIMEOUT_MS, sessionFor, type ExecSpec } from './session'
import type { CommandRecord, HostTarget, RunOptions, RunResult } from './types'

/**
 * Run a command on a host: THE choke point every remote command goes through (logging with
 * VIRTNET_SSH_DEBUG=1, and recording for the audit trail via recordCommands()).
 *
 * Uses the host's persistent connection and a pooled long-lived shell, so a trivial command costs
 * well under a millisecond on a LAN. Rejects with CommandFailedError (with `.result`) on a non-zero
 * exit unless `allowFailure`; with CommandTimeoutError / CommandCancelledError when stopped; with
 * HostKeyNotPinnedError / HostKeyMismatchError / HostAuthError / HostUnreachableError when the host
 * cannot be reached; with SshError for anything else.
 */
export function run(host: HostTarget, command: ShellCommand, options: RunOptions = {}): Promise<RunResult> {
  return execute(host, command, options, 'pool')
}

/**
 * Same contract as run() but opens a fresh SSH exec channel per command (the slow way, ~100x
 * slower). Only for benchmarks comparing against the pool; recorded and logged like run().
 */
export function runViaExecChannel(
  host: HostTarget,
  command: ShellCommand,
  options: RunOptions = {},
): Promise<RunResult> {
  return execute(host, command, options, 'exec')
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

function validate(host: HostTarget, command: ShellCommand, options: RunOptions): number {
  if (!isShellCommand(command)) throw new TypeError('run() only accepts a ShellCommand built with the sh`...` template')
  if (!host || typeof host.id !== 'string' || typeof host.address !== 'string' || !Number.isInteger(host.port)) {
    throw new TypeError('run() needs a HostTarget with id, address and port')
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs <= 0)
    throw new TypeError(`Invalid timeoutMs: ${String(options.timeoutMs)}`)
  return timeoutMs
}

async function execute(
  host: HostTarget,
  command: ShellCommand,
  options: RunOptions,
  via: 'pool' | 'exec',
): Promise<RunResult> {
  const timeoutMs = validate(host, command, options)
  const stdin =
    options.stdin === undefined
      ? undefined
      : Buffer.isBuffer(options.stdin)
        ? options.stdin
        : Buffer.from(options.stdin, 'utf8')
  const startedAt = new Date()
  const t0 = performance.now()
  const spec: ExecSpec = { command: command.text, stdin, timeoutMs, signal: options.signal }
  const phase = options.phase
  const base = { hostId: host.id, command: command.text, startedAt, ...(stdin ? { stdinBytes: stdin.length } : {}) }

  let outcome: RawOutcome
  try {
    const session = sessionFor(host)
    outcome = via === 'pool' ? await session.execute(spec) : await session.executeViaExecChannel(spec)
  } catch (error) {
    const durationMs = round(performance.now() - t0)
    const partial = (error as { partialOutput?: { stdout: string; stderr: string } }).partialOutput
    finish(
      {
        ...base,
        exitCode: null,
        stdout: truncateForRecord(partial?.stdout ?? ''),
        stderr: truncateForRecord(partial?.stderr ?? ''),
        durationMs,
        error: (error as Error).message,
        errorName: (error as Error).name,
      },
      host,
      phase,
    )
    throw error
  }

  const result: RunResult = {
    command: command.text,
    exitCode: outcome.exitCode,
    stdout: outcome.stdout.toString('utf8'),
    stderr: outcome.stderr.toString('utf8'),
    durationMs: round(performance.now() - t0),
  }
  const failed =
    result.exitCode !== 0 && !options.allowFailure
      ? new CommandFailedError({ hostId: host.id, hostLabel: endpointLabel(host), result })
      : undefined
  finish(
    {
      ...base,
      exitCode: result.exitCode,
      stdout: truncateForRecord(result.stdout),
      stderr: truncateForRecord(result.stderr),
      durationMs: result.durationMs,
      ...(failed ? { error: failed.message, errorName: failed.name } : {}),
    },
    host,
    phase,
  )
  if (failed) throw failed
  return result
}

/** How a command ended, as /metrics counts it. */
function outcomeOf(record: CommandRecord): CommandOutcome {
  if (record.exitCode !== null) return record.exitCode === 0 ? 'ok' : 'failed'
  const byError: Record<string, CommandOutcome> = {
    CommandTimeoutError: 'timeout',
    CommandCancelledError: 'cancelled',
    HostUnreachableError: 'unreachable',
  }
  return byError[record.errorName ?? ''] ?? 'error'
}

/**
 * The benchmark's phase of a host command: `ssh_` and the program (virsh with its subcommand, or `virsh_batch`), e.g.
 * `ssh_virsh_net-dumpxml`, `ssh_iptables-restore`, `ssh_sh` for a script on stdin.
 */
export function commandPhase(command: string): string {
  const words = command
    .replace(/^(\s*[A-Za-z_][A-Za-z0-9_]*=\S*[\s;]+)+/, '')
    .trim()
    .split(/\s+/)
  const program = (words[0] ?? '').replace(/^.*\//, '')
  if (program !== 'virsh') return `ssh_${program || 'empty'}`
  const sub = words.slice(1).find((word, i, rest) => !word.startsWith('-') && rest[i - 1] !== '-c')
  return sub && /^[a-z-]+$/.test(sub) ? `ssh_virsh_${sub}` : 'ssh_virsh_batch'
}

function finish(record: CommandRecord, host: HostTarget, phase: string | undefined): void {
  emitCommandRecord(record)
  if (measuringPhases()) notePhase(phase ? `ssh_${phase}` : commandPhase(record.command), record.durationMs)
  const outcome = outcomeOf(record)
  countHostCommand(host.name ?? host.id, outcome, record.durationMs / 1000)
  // A command an action runs is part of a change someone asked for: logged at info. Page reads stay at debug.
  log[logContext()?.action ? 'info' : 'debug'](
    {
      host: host.name ?? host.id,
      command: commandLabel(record.command),
      outcome,
      exitCode: record.exitCode,
      durationMs: record.durationMs,
      ...(record.error ? { error: record.error } : {}),
    },
    'host command',
  )
  if (sshDebugEnabled()) {
    const status =
      record.exitCode === null ? `${record.errorName ?? 'error'}: ${record.error ?? ''}` : `exit ${record.exitCode}`
    sshDebug(
      `${host.id} (${endpointLabel(host)}) $ ${commandLabel(record.command)} -> ${status} in ${record.durationMs} ms`,
    )
  }
}
