import 'server-only'

/** Everything needed to reach one host. A change to any field means a new SSH connection. */
export type HostTarget = {
  /** Stable host id (database id); sessions are cached per id. */
  id: string
  /** The host's name as operators know it: labels metrics and log lines (the id when absent). */
  name?: string
  address: string
  port: number
  username: string
  /** Run commands through `sudo -n /bin/sh` (passwordless sudo required) instead of the user's own shell. */
  useSudo: boolean
  /** OpenSSH-style `SHA256:...` fingerprint confirmed by the operator; null = not confirmed yet. */
  pinnedFingerprint: string | null
}

export type RunOptions = {
  /**
   * Total time run() may take once the connection is up: waiting for a free channel plus running.
   * Default 30_000. `Infinity` disables both the client and the remote timeout.
   */
  timeoutMs?: number
  /** Abort the command: run() rejects with CommandCancelledError and the remote process is signalled. */
  signal?: AbortSignal
  /** Bytes fed to the command's stdin (otherwise stdin is /dev/null). Megabytes are fine. */
  stdin?: string | Buffer
  /** Resolve with the result on a non-zero exit instead of rejecting with CommandFailedError. */
  allowFailure?: boolean
  /** The benchmark's name for this command's round trip (default: its program, see commandPhase). */
  phase?: string
}

export type RunResult = {
  /** The command text as sent to the remote shell. */
  command: string
  exitCode: number
  /** stdout / stderr decoded as UTF-8 (invalid bytes become U+FFFD). */
  stdout: string
  stderr: string
  durationMs: number
}

/** One command as kept for the audit trail (outputs truncated). */
export type CommandRecord = {
  hostId: string
  command: string
  /** null when the command did not finish (timeout, cancel, connection lost, could not start). */
  exitCode: number | null
  stdout: string
  stderr: string
  durationMs: number
  /** Set when run() rejected for a reason other than the exit code (or also for it, without allowFailure). */
  error?: string
  /** Error class name, e.g. 'CommandTimeoutError'. */
  errorName?: string
  /** Size of the stdin that was fed (content is not recorded). */
  stdinBytes?: number
  startedAt: Date
}
