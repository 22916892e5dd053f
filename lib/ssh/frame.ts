import 'server-only'
import { randomFillSync } from 'node:crypto'

/**
 * Framing of commands sent to a long-lived remote `/bin/sh` over one SSH channel.
 *
 * For each command the shell receives a script like
 *
 *   printf '\036%s:b\n' NONCE; printf '\036%s:b\n' NONCE >&2; BODY
 *   printf '\036%s:e %d\n' NONCE "$?"; printf '\036%s:e\n' NONCE >&2
 *
 * with a fresh random 128-bit NONCE per command, so each stream carries
 *
 *   [stray bytes] RS NONCE ":b" LF  <command output>  RS NONCE ":e" [" " exit-code] LF
 *
 * (RS = 0x1e). Output is exactly the bytes between the begin and end markers of that stream; it
 * need not end with a newline, may be binary and may contain RS bytes or fake markers: only the
 * exact nonce, which the command never sees (it lives only in the pool shell's input, not in any
 * argv or environment), can end a frame. Stray bytes before the begin marker (e.g. late output of a
 * background process started by an earlier command) are discarded. `printf` is a builtin in every
 * POSIX shell, so the markers cost no extra processes.
 */

export const RS = 0x1e

/*
 * Nonces come from a pool of random bytes filled 64 at a time: the same CSPRNG bytes as randomBytes(16) per command
 * (each used once), without a call into it for every command, which cost more than the rest of building the script.
 */
const NONCE_BYTES = 16
const noncePool = Buffer.alloc(NONCE_BYTES * 64)
let noncePoolAt = noncePool.length

export function newNonce(): string {
  if (noncePoolAt === noncePool.length) {
    randomFillSync(noncePool)
    noncePoolAt = 0
  }
  const nonce = noncePool.toString('hex', noncePoolAt, noncePoolAt + NONCE_BYTES)
  noncePoolAt += NONCE_BYTES
  return nonce
}

/** The text to write to the shell for one command; `body` is shell text whose exit status is reported. */
export function frameScript(nonce: string, body: string): string {
  if (!/^[0-9a-f]{32}$/.test(nonce)) throw new Error('invalid nonce')
  return (
    `printf '\\036%s:b\\n' ${nonce}; printf '\\036%s:b\\n' ${nonce} >&2; ${body}\n` +
    `printf '\\036%s:e %d\\n' ${nonce} "$?"; printf '\\036%s:e\\n' ${nonce} >&2\n`
  )
}

export class FrameProtocolError extends Error {}
export class FrameOverflowError extends Error {}

/** A growable byte buffer (amortized O(1) appends, no quadratic Buffer.concat). */
class ByteBuffer {
  private buf = Buffer.allocUnsafe(0)
  length = 0
  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length
    if (needed > this.buf.length) {
      // Most commands' output is one small chunk: sized to it (from Node's shared pool), doubling from there.
      const next = Buffer.allocUnsafe(Math.max(needed, this.buf.length * 2))
      this.buf.copy(next, 0, 0, this.length)
      this.buf = next
    }
    this.buf.set(chunk, this.length)
    this.length = needed
  }
  /** Drop the first n bytes. */
  consume(n: number): void {
    this.buf.copy(this.buf, 0, n, this.length)
    this.length -= n
  }
  view(): Buffer {
    return this.buf.subarray(0, this.length)
  }
  indexOf(needle: Buffer, from: number): number {
    return this.view().indexOf(needle, Math.max(0, from))
  }
}

type State = 'begin' | 'body' | 'trailer' | 'done'

/**
 * Incremental parser for ONE stream (stdout or stderr) of ONE command. Feed it every chunk the
 * stream delivers; it is done once the end marker with this command's nonce has been seen.
 */
export class FrameReader {
  private readonly beginMarker: Buffer
  private readonly endMarker: Buffer
  private readonly data = new ByteBuffer()
  private state: State = 'begin'
  private scanFrom = 0
  private endAt = -1
  private code: number | undefined
  /** Bytes discarded before the begin marker. */
  strayBytes = 0
  /** Bytes received after the end marker (ignored). */
  trailingBytes = 0

  constructor(
    nonce: string,
    private readonly withExitCode: boolean,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {
    this.beginMarker = Buffer.from(`\x1e${nonce}:b\n`, 'latin1')
    this.endMarker = Buffer.from(`\x1e${nonce}:e`, 'latin1')
  }

  get done(): boolean {
    return this.state === 'done'
  }

  /** Whether the begin marker has been seen (the command has started on the remote side). */
  get started(): boolean {
    return this.state !== 'begin'
  }

  /** Exit code from the stdout end marker (undefined for stderr, or before done). */
  get exitCode(): number | undefined {
    return this.code
  }

  /** The command's bytes on this stream so far (complete once done). */
  output(): Buffer {
    if (this.state === 'begin') return Buffer.alloc(0)
    const end = this.state === 'body' ? this.data.length : this.endAt
    return Buffer.from(this.data.view().subarray(0, end))
  }

  push(chunk: Uint8Array): void {
    if (this.state === 'done') {
      this.trailingBytes += chunk.length
      return
    }
    this.data.append(chunk)
    this.process()
  }

  private process(): void {
    if (this.state === 'begin') {
      const at = this.data.indexOf(this.beginMarker, this.scanFrom - (this.beginMarker.length - 1))
      if (at < 0) {
        // Keep only a tail that could still be the start of a split marker.
        const keep = Math.min(this.data.length, this.beginMarker.length - 1)
        const drop = this.data.length - keep
        this.strayBytes += drop
        this.data.consume(drop)
        this.scanFrom = this.data.length
        return
      }
      this.strayBytes += at
      this.data.consume(at + this.beginMarker.length)
      this.state = 'body'
      this.scanFrom = 0
    }
    if (this.state === 'body') {
      const at = this.data.indexOf(this.endMarker, this.scanFrom - (this.endMarker.length - 1))
      if (at < 0) {
        this.scanFrom = this.data.length
        if (this.data.length > this.maxBytes) throw new FrameOverflowError(`output exceeded ${this.maxBytes} bytes`)
        return
      }
      this.endAt = at
      this.state = 'trailer'
      this.scanFrom = at + this.endMarker.length
    }
    if (this.state === 'trailer') {
      const view = this.data.view()
      const nl = view.indexOf(0x0a, this.scanFrom)
      if (nl < 0) {
        if (view.length - (this.endAt + this.endMarker.length) > 16)
          throw new FrameProtocolError('malformed end marker')
        this.scanFrom = view.length
        return
      }
      const trailer = view.subarray(this.endAt + this.endMarker.length, nl).toString('latin1')
      if (this.withExitCode) {
        const m = /^ (\d{1,3})$/.exec(trailer)
        if (!m) throw new FrameProtocolError(`malformed end marker trailer ${JSON.stringify(trailer)}`)
        this.code = Number(m[1])
      } else if (trailer !== '') {
        throw new FrameProtocolError(`malformed end marker trailer ${JSON.stringify(trailer)}`)
      }
      this.trailingBytes += view.length - (nl + 1)
      this.state = 'done'
    }
  }
}
