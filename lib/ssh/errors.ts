import 'server-only'
import type { RunResult } from './types'
import { hideLocalPaths } from '@/lib/config/paths'

/**
 * Base class of every error this layer throws. `message` is meant for operators (shown as-is in
 * the UI); `code` is a stable string that survives serialization to the browser, where `instanceof`
 * does not.
 */
export class SshError extends Error {
  readonly code: string
  readonly hostId: string | undefined
  constructor(message: string, options: { code?: string; hostId?: string; cause?: unknown } = {}) {
    // Shown in the browser and kept in the audit log: this machine's own paths are said in words.
    super(hideLocalPaths(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = options.code ?? 'SSH_ERROR'
    this.hostId = options.hostId
  }
}

export type Endpoint = { address: string; port: number }

export function endpointLabel({ address, port }: Endpoint): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}

/** ssh2 could not open an exec channel on an established connection. */
export function channelOpenError(hostLabel: string, hostId: string, error: Error): SshError {
  return new SshError(`Cannot open an SSH channel to ${hostLabel}: ${error.message}`, {
    code: 'SSH_CHANNEL_OPEN_FAILED',
    hostId,
    cause: error,
  })
}

export class HostKeyMismatchError extends SshError {
  readonly expected: string
  readonly actual: string
  readonly keyType: string
  constructor(target: Endpoint, expected: string, actual: string, keyType: string, hostId?: string) {
    super(
      `The host key of ${endpointLabel(target)} has changed: expected ${expected}, got ${actual}. ` +
        'This can mean the host was reinstalled or that someone is intercepting the connection. ' +
        'Verify the new key on the host, then re-confirm it on the Hosts page.',
      { code: 'HOST_KEY_MISMATCH', hostId },
    )
    this.expected = expected
    this.actual = actual
    this.keyType = keyType
  }
}

export class HostKeyNotPinnedError extends SshError {
  constructor(target: Endpoint, hostId?: string) {
    super(
      `The host key of ${endpointLabel(target)} has not been confirmed yet. ` +
        'Check its fingerprint and confirm it on the Hosts page before the dashboard connects to the host.',
      { code: 'HOST_KEY_NOT_PINNED', hostId },
    )
  }
}

export class HostUnreachableError extends SshError {
  constructor(message: string, options: { hostId?: string; cause?: unknown } = {}) {
    super(message, { code: 'HOST_UNREACHABLE', ...options })
  }
}

export class HostAuthError extends SshError {
  constructor(
    target: Endpoint & { username: string },
    publicKeyHint: string,
    options: { hostId?: string; cause?: unknown } = {},
  ) {
    const home = target.username === 'root' ? '/root' : `~${target.username}`
    super(
      `${endpointLabel(target)} refused the dashboard's SSH key for user "${target.username}". ` +
        `Install the dashboard's public key (${publicKeyHint}) in ${home}/.ssh/authorized_keys on the host, then try again.`,
      { code: 'HOST_AUTH_FAILED', ...options },
    )
  }
}

/** Shorten a command for messages; the full text is in the command record. */
export function commandLabel(command: string): string {
  const oneLine = command.replace(/\s+/g, ' ').trim()
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine
}

export type PartialOutput = { stdout: string; stderr: string }

export class CommandTimeoutError extends SshError {
  readonly command: string
  readonly timeoutMs: number
  /** 'queued': never started because every channel stayed busy; 'running': started and was stopped. */
  readonly phase: 'queued' | 'running'
  readonly partialOutput: PartialOutput | undefined
  constructor(args: {
    hostId: string
    hostLabel: string
    command: string
    timeoutMs: number
    phase: 'queued' | 'running'
    busyWith?: string
    partialOutput?: PartialOutput
  }) {
    const seconds = formatSeconds(args.timeoutMs)
    const message =
      args.phase === 'running'
        ? `The command \`${commandLabel(args.command)}\` on ${args.hostLabel} did not finish within ${seconds} and was stopped.`
        : `The command \`${commandLabel(args.command)}\` on ${args.hostLabel} could not start within ${seconds}: ` +
          `every SSH channel to the host stayed busy${args.busyWith ? ` (longest running: \`${commandLabel(args.busyWith)}\`)` : ''}.`
    super(message, { code: 'COMMAND_TIMEOUT', hostId: args.hostId })
    this.command = args.command
    this.timeoutMs = args.timeoutMs
    this.phase = args.phase
    this.partialOutput = args.partialOutput
  }
}

export class CommandCancelledError extends SshError {
  readonly command: string
  readonly partialOutput: PartialOutput | undefined
  constructor(args: {
    hostId: string
    hostLabel: string
    command: string
    reason?: string
    partialOutput?: PartialOutput
  }) {
    super(
      `The command \`${commandLabel(args.command)}\` on ${args.hostLabel} was cancelled${args.reason ? ` (${args.reason})` : ''}.`,
      {
        code: 'COMMAND_CANCELLED',
        hostId: args.hostId,
      },
    )
    this.command = args.command
    this.partialOutput = args.partialOutput
  }
}

export class CommandFailedError extends SshError {
  readonly result: RunResult
  constructor(args: { hostId: string; hostLabel: string; result: RunResult }) {
    const detail = lastLines(args.result.stderr) || lastLines(args.result.stdout)
    super(
      `The command \`${commandLabel(args.result.command)}\` on ${args.hostLabel} failed with exit code ${args.result.exitCode}` +
        (detail ? `: ${detail}` : '.'),
      { code: 'COMMAND_FAILED', hostId: args.hostId },
    )
    this.result = args.result
  }
}

function lastLines(text: string): string {
  const trimmed = text.trim()
  if (!trimmed) return ''
  const tail = trimmed.split('\n').slice(-5).join('\n')
  return tail.length > 600 ? `...${tail.slice(-597)}` : tail
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  const s = ms / 1000
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`
}
