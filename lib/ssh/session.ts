import 'server-only'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { Client, ClientChannel } from 'ssh2'
import { collectExecOutput, ShellChannel, type ExecOutput, type RawOutcome } from './channel'
import { connectClient, SILENCE_LIMIT_MS } from './connect'
import {
  channelOpenError,
  CommandCancelledError,
  CommandTimeoutError,
  commandLabel,
  endpointLabel,
  HostUnreachableError,
  SshError,
  type PartialOutput,
} from './errors'
import { sshDebug } from './log'
import { shellQuote } from './quote'
import { commandScript, killScript } from './script'
import type { HostTarget } from './types'

const gzipAsync = promisify(gzip)

/** Long-lived shell channels per host connection (sshd's default MaxSessions is 10). */
export const MAX_CHANNELS_PER_HOST = 4
export const DEFAULT_TIMEOUT_MS = 30_000
/** Extra channels (beyond one) idle this long are closed, so idle hosts keep one shell + watchdog. */
export const IDLE_CHANNEL_MS = 120_000
/** Largest delay setTimeout supports; longer timeouts are clamped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1

export type ExecSpec = {
  command: string
  stdin?: Buffer
  /** Positive; Infinity = no timeout. Counted from when the connection is up (queue wait + run). */
  timeoutMs: number
  signal?: AbortSignal
  /** Internal housekeeping (jumps the queue). */
  internal?: boolean
}

type Job = {
  spec: ExecSpec
  state: 'queued' | 'running' | 'settled'
  deadline: number
  channel: ShellChannel | null
  startedAt: number
  stdinBase64: string | undefined
  /** the same bytes gzip-compressed, for large stdin (used where the host's shell has gzip) */
  stdinGzipBase64: string | undefined
  settle(error: Error | undefined, outcome?: RawOutcome): void
}

function toText(partial: { stdout: Buffer; stderr: Buffer } | undefined): PartialOutput | undefined {
  return partial && { stdout: partial.stdout.toString('utf8'), stderr: partial.stderr.toString('utf8') }
}

/** Everything that, when changed, must lead to a new connection. */
export function sessionSignature(host: HostTarget): string {
  return JSON.stringify([host.address, host.port, host.username, host.useSudo, host.pinnedFingerprint])
}

/**
 * One persistent SSH connection to one host, shared by every request, with a small pool of
 * long-lived shell channels. Reconnects lazily (on the next command) after the connection drops.
 */
export class HostSession {
  readonly label: string
  private client: Client | null = null
  private connecting: Promise<void> | null = null
  private awaitingConnect = false
  private readonly channels = new Set<ShellChannel>()
  private opening = 0
  private maxChannels = MAX_CHANNELS_PER_HOST
  private readonly queue: Job[] = []
  private readonly running = new Set<Job>()
  private state: 'open' | 'retiring' | 'closed' = 'open'
  private pumpScheduled = false
  private reaper: NodeJS.Timeout | null = null
  /** Number of connections made so far (for tests and diagnostics). */
  connectCount = 0

  constructor(
    readonly host: HostTarget,
    readonly signature: string = sessionSignature(host),
  ) {
    this.label = endpointLabel(host)
  }

  get isClosed(): boolean {
    return this.state === 'closed'
  }

  get isAcceptingWork(): boolean {
    return this.state === 'open'
  }

  /** Snapshot for diagnostics. */
  stats(): { connected: boolean; channels: number; busy: number; queued: number; connectCount: number } {
    return {
      connected: this.client !== null,
      channels: this.channels.size,
      busy: [...this.channels].filter((c) => c.busy).length,
      queued: this.queue.length,
      connectCount: this.connectCount,
    }
  }

  /** Resolve once an authenticated connection is up (connecting if needed). */
  ready(signal?: AbortSignal, command = 'connect'): Promise<void> {
    if (this.state === 'closed') return Promise.reject(this.closedError(command))
    if (this.client) return Promise.resolve()
    const connecting = this.connect()
    if (!signal) return connecting
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(this.cancelledError(command))
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      connecting.then(
        () => (signal.removeEventListener('abort', onAbort), resolve()),
        (error) => (signal.removeEventListener('abort', onAbort), reject(error)),
      )
    })
  }

  /** Run one command on a pool channel. Resolves with the raw outcome whatever the exit code. */
  async execute(spec: ExecSpec): Promise<RawOutcome> {
    if (spec.signal?.aborted) throw this.cancelledError(spec.command)
    // On a live connection (nearly every command) nothing here awaits before the job is queued.
    if (!this.client || this.state === 'closed') await this.ready(spec.signal, spec.command)
    if (this.state === 'closed') throw this.closedError(spec.command)
    if (spec.signal?.aborted) throw this.cancelledError(spec.command)
    const stdinBase64 = spec.stdin && spec.stdin.length > 0 ? spec.stdin.toString('base64') : undefined
    const stdinGzipBase64 =
      spec.stdin && spec.stdin.length >= GZIP_STDIN_MIN_BYTES ? await compressedStdin(spec.stdin) : undefined
    if (spec.signal?.aborted) throw this.cancelledError(spec.command)

    return new Promise<RawOutcome>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const onAbort = () => this.abortJob(job)
      const job: Job = {
        spec,
        state: 'queued',
        deadline: performance.now() + spec.timeoutMs,
        channel: null,
        startedAt: performance.now(),
        stdinBase64,
        stdinGzipBase64,
        settle: (error, outcome) => {
          if (job.state === 'settled') return
          const wasRunning = job.state === 'running'
          job.state = 'settled'
          clearTimeout(timer)
          spec.signal?.removeEventListener('abort', onAbort)
          this.running.delete(job)
          if (!wasRunning) {
            const i = this.queue.indexOf(job)
            if (i >= 0) this.queue.splice(i, 1)
          }
          if (error) reject(error)
          else resolve(outcome!)
          this.schedulePump()
        },
      }
      if (Number.isFinite(spec.timeoutMs))
        timer = setTimeout(() => this.timeoutJob(job), Math.min(spec.timeoutMs, MAX_TIMER_MS))
      spec.signal?.addEventListener('abort', onAbort, { once: true })
      if (spec.internal) this.queue.unshift(job)
      else this.queue.push(job)
      this.pump()
    })
  }

  /**
   * Run a command on a fresh exec channel (the slow, pre-pool way; kept for benchmarks). No
   * framing: stdout, stderr and the exit status come from the SSH channel itself.
   */
  async executeViaExecChannel(spec: ExecSpec): Promise<RawOutcome> {
    await this.ready(spec.signal, spec.command)
    const client = this.client
    if (!client) throw new HostUnreachableError(`The connection to ${this.label} dropped.`, { hostId: this.host.id })
    const text = this.host.useSudo ? `exec sudo -n /bin/sh -c ${shellQuote(spec.command)}` : spec.command
    return new Promise((resolve, reject) => {
      const output: ExecOutput = { out: [], err: [], exitCode: -1 }
      let stream: ClientChannel | undefined
      let done = false
      const finish = (error?: Error) => {
        if (done) return
        done = true
        clearTimeout(timer)
        spec.signal?.removeEventListener('abort', onAbort)
        if (error) {
          stream?.close()
          reject(error)
        } else {
          resolve({ exitCode: output.exitCode, stdout: Buffer.concat(output.out), stderr: Buffer.concat(output.err) })
        }
      }
      const partial = () => toText({ stdout: Buffer.concat(output.out), stderr: Buffer.concat(output.err) })
      const onAbort = () => finish(this.cancelledError(spec.command, partial()))
      spec.signal?.addEventListener('abort', onAbort, { once: true })
      const timer = Number.isFinite(spec.timeoutMs)
        ? setTimeout(
            () => finish(this.timeoutError(spec, { phase: 'running', partialOutput: partial() })),
            Math.min(spec.timeoutMs, MAX_TIMER_MS),
          )
        : undefined
      client.exec(text, (error, channel) => {
        if (error) return finish(channelOpenError(this.label, this.host.id, error))
        stream = channel
        if (done) return channel.close()
        collectExecOutput(channel, output, () => finish())
        if (spec.stdin && spec.stdin.length > 0) channel.end(spec.stdin)
        else channel.end()
      })
    })
  }

  /** Stop accepting work; close once the commands in flight are done. */
  retire(): void {
    if (this.state !== 'open') return
    this.state = 'retiring'
    this.closeIfIdle()
  }

  /** Close now: queued and running commands reject with CommandCancelledError. Resolves when the socket is closed. */
  close(reason = 'the SSH session was closed'): Promise<void> {
    if (this.state === 'closed' && !this.client) return Promise.resolve()
    this.state = 'closed'
    if (this.reaper) clearInterval(this.reaper)
    this.reaper = null
    for (const job of [...this.queue, ...this.running]) {
      job.settle(this.cancelledError(job.spec.command, toText(job.channel?.partialOutput()), reason))
    }
    for (const channel of this.channels) channel.close()
    this.channels.clear()
    const client = this.client
    this.client = null
    if (!client) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000)
      client.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      client.end()
    })
  }

  // ---------------------------------------------------------------------------------------------

  private connect(): Promise<void> {
    this.connecting ??= connectClient(this.host)
      .then((client) => this.adopt(client))
      .finally(() => {
        this.connecting = null
      })
    return this.connecting
  }

  private adopt(client: Client): void {
    if (this.state === 'closed') {
      client.end()
      throw this.closedError('connect')
    }
    this.client = client
    this.maxChannels = MAX_CHANNELS_PER_HOST
    this.connectCount++
    sshDebug(`${this.label}: connected (#${this.connectCount})`)
    let silent = false
    client.on('error', (error: Error & { level?: string }) => {
      sshDebug(`${this.label}: connection error: ${error.message}`)
      // ssh2 reports keepalives left unanswered this way, then destroys the socket: 'close' follows at once.
      if (error.level === 'client-timeout') silent = true
    })
    client.on('close', () => this.onConnectionClosed(client, silent))
  }

  /**
   * The connection is gone. Commands running on it fail (nobody can tell whether they completed). When the host
   * stopped answering, the queued ones fail too, with the same plain reason: a host that just went silent would
   * only make them wait out a new connection attempt. After a clean close (e.g. sshd restarted) they reconnect.
   */
  private onConnectionClosed(client: Client, hostStoppedAnswering: boolean): void {
    if (this.client !== client) return
    sshDebug(`${this.label}: connection closed${hostStoppedAnswering ? ' (the host stopped answering)' : ''}`)
    this.client = null
    for (const channel of this.channels) channel.close()
    this.channels.clear()
    for (const job of [...this.running]) {
      job.settle(hostStoppedAnswering ? this.stoppedAnsweringError(job) : this.connectionLostError(job))
    }
    if (hostStoppedAnswering) for (const job of [...this.queue]) job.settle(this.stoppedAnsweringError(job))
    this.schedulePump()
  }

  private connectionLostError(job: Job): HostUnreachableError {
    return new HostUnreachableError(
      `The SSH connection to ${this.label} was lost while running \`${commandLabel(job.spec.command)}\`; it may or may not have completed. The next command reconnects.`,
      { hostId: this.host.id },
    )
  }

  private stoppedAnsweringError(job: Job): HostUnreachableError {
    const what =
      job.state === 'running'
        ? `while running \`${commandLabel(job.spec.command)}\`, which may or may not have completed`
        : `before \`${commandLabel(job.spec.command)}\` could start`
    return new HostUnreachableError(
      `Cannot reach ${this.label}: the host stopped answering (no reply to SSH keepalives for ${SILENCE_LIMIT_MS / 1000} s) ${what}. ` +
        'Check that the host is up and that nothing in between drops its traffic; the next command reconnects.',
      { hostId: this.host.id },
    )
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    queueMicrotask(() => {
      this.pumpScheduled = false
      this.pump()
    })
  }

  private pump(): void {
    if (this.state === 'closed') return
    if (this.queue.length === 0) return this.closeIfIdle()
    if (!this.client) {
      if (!this.awaitingConnect) {
        this.awaitingConnect = true
        this.connect().then(
          () => {
            this.awaitingConnect = false
            this.pump()
          },
          (error: Error) => {
            this.awaitingConnect = false
            for (const job of [...this.queue]) job.settle(error)
          },
        )
      }
      return
    }
    for (const channel of this.channels) {
      const job = this.queue[0]
      if (!job) break
      if (!channel.busy && !channel.closed) {
        this.queue.shift()
        this.dispatch(job, channel)
      }
    }
    const wanted = this.queue.length - this.opening
    for (let i = 0; i < wanted && this.channels.size + this.opening < this.maxChannels; i++)
      this.openChannel(this.client)
  }

  private openChannel(client: Client): void {
    this.opening++
    const shell = this.host.useSudo ? 'exec sudo -n /bin/sh' : 'exec /bin/sh'
    ShellChannel.open(client, shell, this.label).then(
      (channel) => {
        this.opening--
        if (this.client !== client || this.state === 'closed') return channel.close()
        channel.onClose = (c, task) => this.onChannelClosed(c, task !== null)
        this.channels.add(channel)
        this.ensureReaper()
        sshDebug(
          `${this.label}: shell channel ${this.channels.size}/${this.maxChannels} ready (pid ${channel.info?.pid})`,
        )
        this.pump()
      },
      (error: Error) => {
        this.opening--
        if (this.client !== client || this.state === 'closed') return
        if (this.channels.size > 0) {
          // e.g. sshd's MaxSessions reached: live with the channels we have.
          this.maxChannels = Math.max(1, this.channels.size)
          sshDebug(`${this.label}: cannot open more channels (${error.message}); pool capped at ${this.maxChannels}`)
          this.pump()
        } else if (this.opening === 0) {
          const failure =
            error instanceof SshError
              ? new SshError(error.message, { code: error.code, hostId: this.host.id, cause: error })
              : error
          for (const job of [...this.queue]) job.settle(failure)
        }
      },
    )
  }

  private ensureReaper(): void {
    if (this.reaper) return
    this.reaper = setInterval(() => this.reapIdleChannels(), Math.min(30_000, IDLE_CHANNEL_MS))
    this.reaper.unref() // never keeps the process alive
  }

  private reapIdleChannels(): void {
    const now = performance.now()
    const idle = [...this.channels]
      .filter((c) => !c.busy && now - c.lastUsed > IDLE_CHANNEL_MS)
      .sort((a, b) => a.lastUsed - b.lastUsed)
    for (const channel of idle) {
      if (this.channels.size <= 1) break
      this.channels.delete(channel)
      channel.close()
      sshDebug(`${this.label}: closed an idle shell channel (${this.channels.size} left)`)
    }
  }

  private dispatch(job: Job, channel: ShellChannel): void {
    job.state = 'running'
    job.channel = channel
    job.startedAt = performance.now()
    this.running.add(job)
    // Large stdin travels gzip-compressed where the host's shell has gzip: far fewer bytes to encrypt, send and parse.
    const gzip = job.stdinGzipBase64 !== undefined && channel.info?.gzip === true
    const stdinBase64 = gzip ? job.stdinGzipBase64 : job.stdinBase64
    channel.start({
      script: (nonce) => {
        const remaining = job.deadline - performance.now()
        // The remote deadline is a little later than ours: we stop waiting first and kill the
        // processes; the host-side watchdog is the backstop if that never arrives.
        const timeoutSeconds = Number.isFinite(remaining) ? Math.max(1, Math.ceil(remaining / 1000)) + 2 : undefined
        return commandScript(nonce, job.spec.command, { timeoutSeconds, stdinBase64, stdinGzip: gzip })
      },
      complete: (outcome) => job.settle(undefined, outcome),
      fail: (error) => {
        // The channel closes itself on garbled framing / too much output: drop it and stop the command.
        if (channel.closed && this.channels.has(channel)) this.discardChannel(channel)
        job.settle(
          error instanceof SshError && !error.hostId
            ? new SshError(error.message, { code: error.code, hostId: this.host.id, cause: error.cause })
            : error,
        )
      },
    })
  }

  private onChannelClosed(channel: ShellChannel, hadTask: boolean): void {
    this.channels.delete(channel)
    const job = [...this.running].find((j) => j.channel === channel)
    if (hadTask && job) {
      const client = this.client
      // If the whole connection went down, its 'close' comes right after; report that instead.
      setImmediate(() => {
        if (job.state === 'settled') return
        if (this.client !== client || !client) return job.settle(this.connectionLostError(job))
        job.settle(
          new SshError(
            `The remote shell on ${this.label} exited unexpectedly while running \`${commandLabel(job.spec.command)}\`.`,
            {
              code: 'SSH_SHELL_EXITED',
              hostId: this.host.id,
            },
          ),
        )
      })
    }
    this.schedulePump()
  }

  /** Take a channel out of the pool and stop what it runs (the command's processes get SIGTERM). */
  private discardChannel(channel: ShellChannel): void {
    this.channels.delete(channel)
    const info = channel.info
    channel.close()
    if (info && this.client && this.state !== 'closed') {
      this.execute({ command: killScript(info), timeoutMs: 10_000, internal: true }).then(
        () => sshDebug(`${this.label}: stopped the processes of discarded shell ${info.pid}`),
        (error: Error) =>
          sshDebug(`${this.label}: could not stop the processes of shell ${info.pid}: ${error.message}`),
      )
    }
    this.schedulePump()
  }

  private timeoutJob(job: Job): void {
    if (job.state === 'queued') {
      const longest = [...this.running].sort((a, b) => a.startedAt - b.startedAt)[0]
      job.settle(this.timeoutError(job.spec, { phase: 'queued', busyWith: longest?.spec.command }))
    } else if (job.state === 'running' && job.channel) {
      const partialOutput = toText(job.channel.partialOutput())
      this.discardChannel(job.channel)
      job.settle(this.timeoutError(job.spec, { phase: 'running', partialOutput }))
    }
  }

  private timeoutError(
    spec: ExecSpec,
    what:
      | { phase: 'queued'; busyWith: string | undefined }
      | { phase: 'running'; partialOutput: PartialOutput | undefined },
  ): CommandTimeoutError {
    return new CommandTimeoutError({
      hostId: this.host.id,
      hostLabel: this.label,
      command: spec.command,
      timeoutMs: spec.timeoutMs,
      ...what,
    })
  }

  private abortJob(job: Job): void {
    if (job.state === 'settled') return
    const partialOutput = toText(job.channel?.partialOutput())
    if (job.state === 'running' && job.channel) this.discardChannel(job.channel)
    job.settle(this.cancelledError(job.spec.command, partialOutput, reasonOf(job.spec.signal)))
  }

  private closeIfIdle(): void {
    if (this.state === 'retiring' && this.queue.length === 0 && this.running.size === 0) void this.close()
  }

  private cancelledError(command: string, partialOutput?: PartialOutput, reason?: string): CommandCancelledError {
    return new CommandCancelledError({ hostId: this.host.id, hostLabel: this.label, command, reason, partialOutput })
  }

  private closedError(command: string): CommandCancelledError {
    return this.cancelledError(command, undefined, 'the SSH session was closed')
  }
}

/** From this size on, stdin is also gzip-compressed (level 1: a few milliseconds per megabyte, off the event loop). */
export const GZIP_STDIN_MIN_BYTES = 16 * 1024

/** Large stdin (GZIP_STDIN_MIN_BYTES and more, checked by the caller so small stdin costs no await) gzipped. */
async function compressedStdin(stdin: Buffer): Promise<string | undefined> {
  const compressed = await gzipAsync(stdin, { level: 1 })
  // Random or already compressed bytes do not shrink: those go as they are.
  return compressed.length < stdin.length * 0.9 ? compressed.toString('base64') : undefined
}

function reasonOf(signal: AbortSignal | undefined): string | undefined {
  const reason: unknown = signal?.reason
  if (typeof reason === 'string') return reason
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Registry: one session per host id, on globalThis so a Next.js dev hot reload does not leak
// connections (the reloaded module finds the sessions made by the previous version).

const REGISTRY_KEY = Symbol.for('virtnet.ssh.sessions.v1')
type Registry = Map<string, HostSession>
const registry: Registry = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] ??= new Map<
  string,
  HostSession
>()) as Registry

/** The live session for a host; a changed address/port/user/sudo/fingerprint gets a new one. */
export function sessionFor(host: HostTarget): HostSession {
  const signature = sessionSignature(host)
  const existing = registry.get(host.id)
  if (existing && existing.signature === signature && existing.isAcceptingWork) return existing
  existing?.retire()
  const session = new HostSession(host, signature)
  registry.set(host.id, session)
  return session
}

/** The current session of a host, if any (does not create one). */
export function peekSession(hostId: string): HostSession | undefined {
  return registry.get(hostId)
}

export function closeHostSession(hostId: string): void {
  const session = registry.get(hostId)
  if (!session) return
  registry.delete(hostId)
  void session.close()
}

/**
 * Every host's next command opens a new connection (after a new dashboard key was put in use); commands in flight
 * finish on the old ones, which close once idle.
 */
export function retireAllSessions(): void {
  for (const [hostId, session] of registry) {
    registry.delete(hostId)
    session.retire()
  }
}

export async function closeAllSessions(): Promise<void> {
  const sessions = [...registry.values()]
  registry.clear()
  await Promise.all(sessions.map((s) => s.close()))
}
