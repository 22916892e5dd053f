import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { FrameOverflowError, FrameProtocolError, FrameReader, frameScript, newNonce } from './frame'

const nonce = 'a'.repeat(8) + '0123456789abcdef' + 'b'.repeat(8)
const begin = (n = nonce) => Buffer.from(`\x1e${n}:b\n`, 'latin1')
const endOut = (code: number, n = nonce) => Buffer.from(`\x1e${n}:e ${code}\n`, 'latin1')
const endErr = (n = nonce) => Buffer.from(`\x1e${n}:e\n`, 'latin1')

function stdoutStream(payload: Buffer, code = 0, stray = Buffer.alloc(0)): Buffer {
  return Buffer.concat([stray, begin(), payload, endOut(code)])
}

function feed(reader: FrameReader, chunks: Buffer[]): FrameReader {
  for (const c of chunks) reader.push(c)
  return reader
}

function expectParsed(stream: Buffer, payload: Buffer, code: number, chunks: Buffer[]): void {
  const r = feed(new FrameReader(nonce, true), chunks)
  expect(r.done).toBe(true)
  expect(r.exitCode).toBe(code)
  expect(r.output().equals(payload)).toBe(true)
}

describe('FrameReader', () => {
  const payloads: Record<string, Buffer> = {
    empty: Buffer.alloc(0),
    text: Buffer.from('hello\nworld\n'),
    noTrailingNewline: Buffer.from('no newline at end'),
    fakeMarkers: Buffer.from(
      `\x1e${'f'.repeat(32)}:e 0\n` + // another nonce
        `\x1e${nonce.slice(0, 31)}:e 0\n` + // a prefix of ours
        `\x1e${nonce}:x\n` + // right nonce, wrong tag
        `\x1e\x1e\x1e${nonce.slice(0, 10)}` +
        `\x1e${'0'.repeat(32)}:b\n`,
      'latin1',
    ),
    binary: Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)),
    onlyRS: Buffer.alloc(100, 0x1e),
    random: randomBytes(3000),
  }

  for (const [name, payload] of Object.entries(payloads)) {
    it(`parses ${name} split at every byte boundary`, () => {
      const stream = stdoutStream(payload, 42, Buffer.from('stray\x1egarbage'))
      for (let i = 0; i <= stream.length; i++) {
        expectParsed(stream, payload, 42, [stream.subarray(0, i), stream.subarray(i)])
      }
    })
    it(`parses ${name} fed one byte at a time`, () => {
      const stream = stdoutStream(payload, 7)
      expectParsed(
        stream,
        payload,
        7,
        Array.from(stream, (b) => Buffer.from([b])),
      )
    })
  }

  it('parses with three-way splits around the markers', () => {
    const payload = payloads.fakeMarkers!
    const stream = stdoutStream(payload, 255)
    for (let i = 0; i < stream.length; i += 3) {
      for (let j = i; j <= stream.length; j += 5) {
        expectParsed(stream, payload, 255, [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)])
      }
    }
  })

  it('discards stray bytes before the begin marker and ignores bytes after the end', () => {
    const r = new FrameReader(nonce, true)
    r.push(Buffer.from('late output of an old background job\n'))
    expect(r.started).toBe(false)
    r.push(Buffer.concat([begin(), Buffer.from('mine'), endOut(0), Buffer.from('after')]))
    expect(r.output().toString()).toBe('mine')
    expect(r.strayBytes).toBe(37)
    expect(r.trailingBytes).toBe(5)
    r.push(Buffer.from('more'))
    expect(r.trailingBytes).toBe(9)
  })

  it('exposes partial output while running', () => {
    const r = new FrameReader(nonce, true)
    r.push(Buffer.concat([begin(), Buffer.from('partial')]))
    expect(r.started).toBe(true)
    expect(r.done).toBe(false)
    expect(r.output().toString()).toBe('partial')
  })

  it('parses stderr frames (no exit code)', () => {
    const r = feed(new FrameReader(nonce, false), [begin(), Buffer.from('oops\n'), endErr()])
    expect(r.done).toBe(true)
    expect(r.exitCode).toBeUndefined()
    expect(r.output().toString()).toBe('oops\n')
  })

  it('rejects malformed end markers', () => {
    expect(() => feed(new FrameReader(nonce, true), [begin(), endErr()])).toThrow(FrameProtocolError)
    expect(() => feed(new FrameReader(nonce, false), [begin(), endOut(1)])).toThrow(FrameProtocolError)
    expect(() =>
      feed(new FrameReader(nonce, true), [begin(), Buffer.from(`\x1e${nonce}:e ${'9'.repeat(40)}`)]),
    ).toThrow(FrameProtocolError)
  })

  // Its speed (MiB/s, and whether 10× the output takes 10× the time) is a bench figure: npm run bench -- ssh.
  it('handles huge output', () => {
    const chunk = randomBytes(64 * 1024)
    const r = new FrameReader(nonce, true)
    r.push(begin())
    for (let i = 0; i < 800; i++) r.push(chunk) // 50 MiB
    r.push(endOut(0))
    expect(r.done).toBe(true)
    const out = r.output()
    expect(out.length).toBe(800 * chunk.length)
    expect(out.subarray(0, chunk.length).equals(chunk)).toBe(true)
    expect(out.subarray(out.length - chunk.length).equals(chunk)).toBe(true)
  })

  it('enforces the output limit', () => {
    const r = new FrameReader(nonce, true, 1000)
    r.push(begin())
    expect(() => r.push(Buffer.alloc(2000))).toThrow(FrameOverflowError)
  })
})

describe('frameScript through a real /bin/sh', () => {
  type Frame = { stdout: string; stderr: string; code: number | undefined }

  // Drive a local shell exactly like a remote pool channel: one long-lived sh reading scripts on stdin.
  async function runInShell(bodies: string[]): Promise<Frame[]> {
    const shell = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] })
    const frames: Frame[] = []
    try {
      for (const body of bodies) {
        const n = newNonce()
        const out = new FrameReader(n, true)
        const err = new FrameReader(n, false)
        const frame = await new Promise<Frame>((resolve, reject) => {
          const check = () => {
            if (out.done && err.done) {
              shell.stdout.off('data', onOut)
              shell.stderr.off('data', onErr)
              resolve({
                stdout: out.output().toString('latin1'),
                stderr: err.output().toString('latin1'),
                code: out.exitCode,
              })
            }
          }
          const onOut = (c: Buffer) => (out.push(c), check())
          const onErr = (c: Buffer) => (err.push(c), check())
          shell.stdout.on('data', onOut)
          shell.stderr.on('data', onErr)
          shell.once('exit', () => reject(new Error('shell exited')))
          shell.stdin.write(frameScript(n, body))
        })
        frames.push(frame)
      }
    } finally {
      shell.stdin.end()
      shell.kill()
    }
    return frames
  }

  it('frames output, stderr and exit codes of consecutive commands', async () => {
    const frames = await runInShell([
      `/bin/sh -c 'echo out; echo err >&2; exit 3' </dev/null`,
      `/bin/sh -c 'printf no-newline' </dev/null`,
      `/bin/sh -c 'printf "\\036%s:e 0\\n" 0123456789abcdef0123456789abcdef; printf "\\036deadbeef:e 0\\n" >&2' </dev/null`,
      `/bin/sh -c 'cd /tmp; X=1; exit 0' </dev/null`,
      `/bin/sh -c 'pwd; echo "[$X]"' </dev/null`,
      `/bin/sh -c 'cat' </dev/null`,
    ])
    expect(frames[0]).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 })
    expect(frames[1]).toEqual({ stdout: 'no-newline', stderr: '', code: 0 })
    expect(frames[2]).toEqual({
      stdout: '\x1e0123456789abcdef0123456789abcdef:e 0\n',
      stderr: '\x1edeadbeef:e 0\n',
      code: 0,
    })
    expect(frames[3]?.code).toBe(0)
    expect(frames[4]?.stdout).not.toBe('/tmp\n[1]\n')
    expect(frames[4]?.stdout.endsWith('[]\n')).toBe(true)
    expect(frames[5]).toEqual({ stdout: '', stderr: '', code: 0 })
  })

  it('rejects a malformed nonce', () => {
    expect(() => frameScript('abc; rm -rf /', 'true')).toThrow(/nonce/)
  })
})
