import 'server-only'
import type { Client, ClientChannel } from 'ssh2'
import { SshError } from './errors'
import { FrameOverflowError, FrameProtocolError, FrameReader, newNonce } from './frame'
import { sshDebug } from './log'
import { parseSetupOutput, setupScript, type ShellInfo } from './script'

export type RawOutcome = { exitCode: number; stdout: Buffer; stderr: Buffer }

/** What a one-off exec channel (not a ShellChannel) has printed, and its exit status (-1 until it exits). */
export type ExecOutput = { out: Buffer[]; err: Buffer[]; exitCode: number }

/**
 * Gathers what `channel` prints into `output`, with its exit status (-1 when no number came, e.g.
 * a signal ended it); `onClose` runs when the channel closes.
 */
export function collectExecOutput(channel: ClientChannel, output: ExecOutput, onClose: () => void): void {
  channel.on('data', (chunk: Buffer) => output.out.push(chunk))
  channel.stderr.on('data', (chunk: Buffer) => output.err.push(chunk))
  channel.on('exit', (code: number | null) => {
    output.exitCode = typeof code === 'number' ? code : -1
  })
  channel.on('close', onClose)
}

/** One unit of work for a channel: the channel frames it and reports exactly once. */
export interface ChannelTask {
  /** Build the script to write, given the fresh nonce. */
  script(nonce: string): string
  complete(outcome: RawOutcome): void
  fail(error: Error): void
}

export const CHANNEL_OPEN_TIMEOUT_MS = 15_000
const STDERR_TAIL_BYTES = 4096
/** Max bytes kept per stream per command before the command is failed (protects the dashboard's memory). */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024

type Running = { task: ChannelTask; out: FrameReader; err: FrameReader }

/**
 * A long-lived `/bin/sh` (or `sudo -n /bin/sh`) on an exec channel, without a pty so stdout and
 * stderr stay separate. Runs one framed command at a time.
 */
export class ShellChannel {
  /** pid / process group / watchdog state file of the remote pool shell (from its setup script). */
  info: ShellInfo | null = null
  closed = false
  /** Called once when the channel closes for any reason; `running` is the task that was in flight. */
  onClose: ((channel: ShellChannel, running: ChannelTask | null, stderrTail: string) => void) | undefined
  private running: Running | null = null
  private stderrTail = Buffer.alloc(0)
  lastUsed = performance.now()

  private constructor(
    private readonly stream: ClientChannel,
    readonly label: string,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk, 'out'))
    stream.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = Buffer.concat([this.stderrTail, chunk]).subarray(-STDERR_TAIL_BYTES)
      this.onData(chunk, 'err')
    })
    stream.on('error', (error: Error) => sshDebug(`${label}: channel error: ${error.message}`))
    stream.stderr.on('error', () => {})
    stream.on('close', () => this.handleClose())
  }

  get busy(): boolean {
    return this.running !== null
  }

  get currentTask(): ChannelTask | null {
    return this.running?.task ?? null
  }

  /**
   * Open a pool channel and prove the shell works. `shellCommand` is e.g. `exec /bin/sh` or
   * `exec sudo -n /bin/sh`. Rejects with an SshError whose message includes what the host said.
   */
  static open(client: Client, shellCommand: string, label: string): Promise<ShellChannel> {
    return new Promise((resolve, reject) => {
      let settled = false
      let channel: ShellChannel | undefined
      const settle = (error?: Error) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) {
          channel?.close()
          reject(error)
        } else {
          resolve(channel!)
        }
      }
      const timer = setTimeout(
        () =>
          settle(
            new SshError(`Starting a shell on ${label} took longer than ${CHANNEL_OPEN_TIMEOUT_MS / 1000} s.`, {
              code: 'SSH_SHELL_START_FAILED',
            }),
          ),
        CHANNEL_OPEN_TIMEOUT_MS,
      )
      const onOpened = (err: Error | undefined, stream: ClientChannel) => {
        if (err)
          return settle(
            new SshError(`Cannot open an SSH channel to ${label}: ${err.message}`, {
              code: 'SSH_CHANNEL_OPEN_FAILED',
              cause: err,
            }),
          )
        channel = new ShellChannel(stream, label)
        if (settled) return channel.close() // timed out meanwhile
        channel.onClose = (_c, _running, stderrTail) => {
          const said = stderrTail.trim().replace(/\s+/g, ' ')
          settle(
            new SshError(
              `The shell on ${label} exited right after starting${said ? `: ${/[.!?]$/.test(said) ? said : `${said}.`}` : '.'}` +
                (/password is required|a terminal is required|must have a tty/i.test(said)
                  ? ' The SSH user needs passwordless sudo (NOPASSWD) for /bin/sh, or connect as root.'
                  : ''),
              { code: 'SSH_SHELL_START_FAILED' },
            ),
          )
        }
        channel.start({
          script: setupScript,
          complete: (outcome) => {
            const said = outcome.stderr.toString('utf8').trim()
            if (outcome.exitCode !== 0) {
              return settle(
                new SshError(`The shell on ${label} is not usable: ${said || `exit code ${outcome.exitCode}`}.`, {
                  code: 'SSH_SHELL_START_FAILED',
                }),
              )
            }
            const info = parseSetupOutput(outcome.stdout.toString('utf8'))
            if (!info) {
              return settle(
                new SshError(
                  `The shell on ${label} gave an unexpected answer while starting: ${JSON.stringify(outcome.stdout.toString('utf8').slice(0, 200))} ${said}`,
                  { code: 'SSH_SHELL_START_FAILED' },
                ),
              )
            }
            channel!.info = info
            channel!.onClose = undefined
            settle()
          },
          fail: (error) => settle(error),
        })
      }
      try {
        client.exec(shellCommand, onOpened)
      } catch (error) {
        settle(
          new SshError(`Cannot open an SSH channel to ${label}: ${(error as Error).message}`, {
            code: 'SSH_CHANNEL_OPEN_FAILED',
            cause: error,
          }),
        )
      }
    })
  }

  /** Write one framed command. The channel must be idle. */
  start(task: ChannelTask): void {
    if (this.closed)
      return task.fail(new SshError(`The shell channel to ${this.label} is closed.`, { code: 'SSH_CHANNEL_CLOSED' }))
    if (this.running) throw new Error('ShellChannel.start: channel is busy')
    const nonce = newNonce()
    let script: string
    try {
      script = task.script(nonce)
    } catch (error) {
      return task.fail(error as Error)
    }
    this.running = {
      task,
      out: new FrameReader(nonce, true, MAX_OUTPUT_BYTES),
      err: new FrameReader(nonce, false, MAX_OUTPUT_BYTES),
    }
    this.stream.write(script)
  }

  /** Output received so far for the running command (for timeout/cancel reports). */
  partialOutput(): { stdout: Buffer; stderr: Buffer } | undefined {
    if (!this.running) return undefined
    return { stdout: this.running.out.output(), stderr: this.running.err.output() }
  }

  /** Close the channel; the task in flight (if any) is NOT reported, the caller handles it. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.running = null
    try {
      this.stream.close()
    } catch {
      /* already gone */
    }
  }

  private onData(chunk: Buffer, which: 'out' | 'err'): void {
    const running = this.running
    if (!running) {
      if (!this.closed)
        sshDebug(`${this.label}: ignoring ${chunk.length} bytes on idle channel (background process output?)`)
      return
    }
    try {
      ;(which === 'out' ? running.out : running.err).push(chunk)
    } catch (error) {
      const message =
        error instanceof FrameOverflowError
          ? `The command produced more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB of output on ${this.label} and was stopped.`
          : error instanceof FrameProtocolError
            ? `Garbled output framing from ${this.label}: ${error.message}`
            : (error as Error).message
      this.running = null
      this.close()
      running.task.fail(
        new SshError(message, {
          code: error instanceof FrameOverflowError ? 'SSH_OUTPUT_TOO_LARGE' : 'SSH_PROTOCOL',
          cause: error,
        }),
      )
      return
    }
    if (running.out.done && running.err.done) {
      this.running = null
      this.lastUsed = performance.now()
      running.task.complete({
        exitCode: running.out.exitCode ?? -1,
        stdout: running.out.output(),
        stderr: running.err.output(),
      })
    }
  }

  private handleClose(): void {
    const running = this.running
    const wasClosed = this.closed
    this.closed = true
    this.running = null
    if (!wasClosed || running) this.onClose?.(this, running?.task ?? null, this.stderrTail.toString('utf8'))
  }
}
