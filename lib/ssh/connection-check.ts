import 'server-only'
import type { Client } from 'ssh2'
import { collectExecOutput, type ExecOutput } from './channel'
import { connectClient } from './connect'
import { channelOpenError, endpointLabel, HostUnreachableError, SshError } from './errors'
import { sshDebug } from './log'
import { emitCommandRecord, truncateForRecord } from './record'
import type { HostTarget } from './types'

/** The whole check (connecting, logging in, running `true`) gives up after this long. */
export const CONNECTION_CHECK_TIMEOUT_MS = 15_000

/**
 * Whether the host answers, checked on a connection of its own: a fresh handshake that verifies the pinned host key,
 * the login with the dashboard's key, and `true` run the way the pool runs commands (through `sudo -n /bin/sh` when
 * the host uses sudo), so a changed key, a revoked login or a broken sudo shows now. The host's shared session is
 * left alone: closing it would abort every command in flight on it (another operator's bulk import or network
 * restart, which would then roll back). Resolves with the time to an authenticated connection and the round trip of
 * `true` on it; rejects like run() does (HostKeyNotPinnedError, HostKeyMismatchError, HostAuthError,
 * HostUnreachableError, SshError). The command is recorded for the audit trail like run()'s.
 */
export async function testConnection(
  host: HostTarget,
  timeoutMs = CONNECTION_CHECK_TIMEOUT_MS,
  /** log in with this key instead of the one in use (a new dashboard key, before rotating to it) */
  identity?: { privateKey: string },
): Promise<{ connectMs: number; latencyMs: number }> {
  const startedAt = new Date()
  const t0 = performance.now()
  const deadline = AbortSignal.timeout(timeoutMs)
  let client: Client | undefined
  let connectMs: number
  let latencyMs: number
  let outcome: Outcome
  try {
    client = await connectClient(host, deadline, identity)
    connectMs = performance.now() - t0
    outcome = await runOnce(client, host, deadline, timeoutMs)
    latencyMs = performance.now() - t0 - connectMs
  } catch (error) {
    record(host, startedAt, t0, { exitCode: null, stdout: '', stderr: '' }, error as Error)
    throw error
  } finally {
    client?.end()
  }
  const said = outcome.stderr.trim().replace(/\s+/g, ' ')
  const failed =
    outcome.exitCode === 0
      ? undefined
      : new SshError(
          `The shell on ${endpointLabel(host)} cannot run commands: ${said || `exit code ${outcome.exitCode}`}.` +
            (host.useSudo && /password is required|a terminal is required|must have a tty/i.test(said)
              ? ' The SSH user needs passwordless sudo (NOPASSWD) for /bin/sh, or connect as root.'
              : ''),
          { code: 'SSH_SHELL_START_FAILED', hostId: host.id },
        )
  record(host, startedAt, t0, outcome, failed)
  if (failed) throw failed
  sshDebug(`${endpointLabel(host)}: connection check passed (connect ${connectMs.toFixed(1)} ms)`)
  return { connectMs: round(connectMs), latencyMs: round(latencyMs) }
}

type Outcome = { exitCode: number; stdout: string; stderr: string }

/** `true` on a fresh exec channel: the exit status comes from the SSH channel itself. */
function runOnce(client: Client, host: HostTarget, deadline: AbortSignal, timeoutMs: number): Promise<Outcome> {
  const text = host.useSudo ? 'exec sudo -n /bin/sh -c true' : 'true'
  return new Promise((resolve, reject) => {
    const output: ExecOutput = { out: [], err: [], exitCode: -1 }
    let done = false
    const finish = (error?: Error) => {
      if (done) return
      done = true
      deadline.removeEventListener('abort', onDeadline)
      if (error) reject(error)
      else
        resolve({
          exitCode: output.exitCode,
          stdout: Buffer.concat(output.out).toString('utf8'),
          stderr: Buffer.concat(output.err).toString('utf8'),
        })
    }
    const onDeadline = () =>
      finish(
        new HostUnreachableError(
          `${endpointLabel(host)} accepted the connection but did not run \`true\` within ${timeoutMs / 1000} s.`,
          { hostId: host.id },
        ),
      )
    if (deadline.aborted) return onDeadline()
    deadline.addEventListener('abort', onDeadline, { once: true })
    try {
      client.exec(text, (error, channel) => {
        if (error) return finish(channelOpenError(endpointLabel(host), host.id, error))
        if (done) return channel.close()
        collectExecOutput(channel, output, () => finish())
        channel.end()
      })
    } catch (error) {
      finish(
        new HostUnreachableError(`The connection to ${endpointLabel(host)} closed right after the login.`, {
          hostId: host.id,
          cause: error,
        }),
      )
    }
  })
}

function record(
  host: HostTarget,
  startedAt: Date,
  t0: number,
  outcome: { exitCode: number | null; stdout: string; stderr: string },
  error: Error | undefined,
): void {
  emitCommandRecord({
    hostId: host.id,
    command: 'true',
    exitCode: outcome.exitCode,
    stdout: truncateForRecord(outcome.stdout),
    stderr: truncateForRecord(outcome.stderr),
    durationMs: round(performance.now() - t0),
    startedAt,
    ...(error ? { error: error.message, errorName: error.name } : {}),
  })
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}
