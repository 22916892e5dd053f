import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FrameReader, newNonce } from './frame'
import { sh } from './quote'
import { commandScript, killScript, parseSetupOutput, setupScript, type ShellInfo } from './script'

// The scripts are what a remote pool shell receives; here a local /bin/sh plays the remote shell.
type Result = { stdout: Buffer; stderr: Buffer; code: number | undefined; ms: number }

class LocalPoolShell {
  readonly proc: ChildProcessWithoutNullStreams
  info: ShellInfo | null = null
  // detached = own session and process group, like sshd gives every exec channel.
  constructor(detached = true) {
    this.proc = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'], detached })
  }
  async setup(pollSeconds?: number): Promise<ShellInfo> {
    const r = await this.run((n) =>
      setupScript(n, pollSeconds ? { armedSeconds: pollSeconds, idleSeconds: pollSeconds } : undefined),
    )
    if (r.code !== 0) throw new Error(`setup failed: ${r.stderr.toString()}`)
    this.info = parseSetupOutput(r.stdout.toString())
    if (!this.info) throw new Error(`bad setup output ${JSON.stringify(r.stdout.toString())}`)
    return this.info
  }
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null
  }
  run(build: (nonce: string) => string): Promise<Result> {
    const nonce = newNonce()
    const out = new FrameReader(nonce, true)
    const err = new FrameReader(nonce, false)
    const t0 = performance.now()
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!out.done || !err.done) return
        this.proc.stdout.off('data', onOut)
        this.proc.stderr.off('data', onErr)
        this.proc.off('exit', onExit)
        resolve({ stdout: out.output(), stderr: err.output(), code: out.exitCode, ms: performance.now() - t0 })
      }
      const onOut = (c: Buffer) => (out.push(c), check())
      const onErr = (c: Buffer) => (err.push(c), check())
      const onExit = () => reject(new Error('pool shell exited'))
      this.proc.stdout.on('data', onOut)
      this.proc.stderr.on('data', onErr)
      this.proc.once('exit', onExit)
      this.proc.stdin.write(build(nonce))
    })
  }
  exec(command: string, options: { timeoutSeconds?: number; stdin?: Buffer; gzip?: boolean } = {}): Promise<Result> {
    return this.run((n) =>
      commandScript(n, command, {
        timeoutSeconds: options.timeoutSeconds,
        stdinBase64: (options.gzip && options.stdin ? gzipSync(options.stdin) : options.stdin)?.toString('base64'),
        stdinGzip: options.gzip,
      }),
    )
  }
}

describe('commandScript in a local pool shell', () => {
  let shell: LocalPoolShell
  beforeAll(async () => {
    shell = new LocalPoolShell()
    await shell.setup()
  })
  afterAll(() => {
    shell.proc.kill()
  })

  it('setup reports the shell pid, its process group and the watchdog state file', () => {
    expect(shell.info).toEqual({
      pid: shell.proc.pid,
      killTarget: `-${shell.proc.pid}`,
      stateFile: expect.stringMatching(/virtnet-watchdog\./),
      gzip: true,
    })
    expect(fs.readFileSync(shell.info!.stateFile, 'utf8')).toBe(`${' '.repeat(11)}0\n`)
  })

  it('keeps stdout, stderr and exit code apart', async () => {
    const r = await shell.exec(sh`echo out; echo err >&2; exit 3`.text, { timeoutSeconds: 10 })
    expect(r).toMatchObject({ code: 3 })
    expect(r.stdout.toString()).toBe('out\n')
    expect(r.stderr.toString()).toBe('err\n')
  })

  it('contains exit, cd, variables and syntax errors', async () => {
    expect((await shell.exec('cd /; X=leak; exit 0')).code).toBe(0)
    const after = await shell.exec('echo "[$X]"; pwd')
    expect(after.stdout.toString()).toBe(`[]\n${process.cwd()}\n`)
    const broken = await shell.exec("echo 'unterminated")
    expect(broken.code).toBe(2)
    expect(broken.stderr.toString()).toMatch(/unterminated|EOF|quote/i)
    expect((await shell.exec('echo still alive')).stdout.toString()).toBe('still alive\n')
  })

  it('gives commands /dev/null as stdin', async () => {
    const r = await shell.exec('cat; read x; echo "rc=$?"', { timeoutSeconds: 5 })
    expect(r.stdout.toString()).toBe('rc=1\n')
  })

  it('feeds 2 MB of binary stdin', async () => {
    const data = randomBytes(2 * 1024 * 1024)
    const r = await shell.exec('sha256sum', { stdin: data, timeoutSeconds: 30 })
    expect(r.stdout.toString().split(' ')[0]).toBe(createHash('sha256').update(data).digest('hex'))
  })

  it('arms and disarms the watchdog around a command', async () => {
    const r = await shell.exec('cat "$__vn_w"', { timeoutSeconds: 100 })
    const [uptime] = fs.readFileSync('/proc/uptime', 'utf8').split(' ')
    expect(Number(r.stdout.toString()) - Math.floor(Number(uptime))).toBeGreaterThanOrEqual(99)
    expect(fs.readFileSync(shell.info!.stateFile, 'utf8')).toBe(`${' '.repeat(11)}0\n`)
  })

  it('passes commands bigger than one argv string', async () => {
    const payload = 'x\'y"z$(no)`no`\\\n'.repeat(20_000) // ~340 kB, quoting makes it bigger still
    const command = sh`printf %s ${payload} | sha256sum`.text
    expect(command.length).toBeGreaterThan(128 * 1024)
    const r = await shell.exec(command, { timeoutSeconds: 30, stdin: Buffer.from('ignored') })
    expect(r.code).toBe(0)
    expect(r.stdout.toString().split(' ')[0]).toBe(createHash('sha256').update(payload).digest('hex'))
    expect((await shell.exec('echo next')).stdout.toString()).toBe('next\n')
  })

  it('cannot be confused by a command printing fake markers', async () => {
    const r = await shell.exec(
      `printf '\\036%s:e 0\\n' ${'0'.repeat(32)}; printf '\\036'; head -c 16 /dev/urandom | od -An -tx1; echo real`,
    )
    expect(r.code).toBe(0)
    expect(r.stdout.toString().endsWith('real\n')).toBe(true)
  })
})

function processGone(pattern: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pattern])
    return false
  } catch {
    return true
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return check()
}

describe('stopping commands on the host', () => {
  it('the watchdog kills an overdue command and its whole process group', async () => {
    const shell = new LocalPoolShell()
    const info = await shell.setup(1)
    const marker = `sleep 30.${process.pid}1`
    const pending = shell.exec(`${marker}; echo not reached`, { timeoutSeconds: 1 }).catch((e: Error) => e)
    expect(await waitFor(() => !processGone(`^${marker}$`), 2000)).toBe(true)
    // Deadline 1 s (on whole uptime seconds) + poll 1 s: gone within a few seconds, shell included.
    expect(await waitFor(() => processGone(`^${marker}$`), 5000)).toBe(true)
    expect(await waitFor(() => !shell.alive, 2000)).toBe(true)
    expect(await pending).toBeInstanceOf(Error)
    expect(await waitFor(() => !fs.existsSync(info.stateFile), 8000)).toBe(true)
  }, 20_000)

  it('killScript run from another shell stops a discarded shell at once', async () => {
    const victim = new LocalPoolShell()
    const info = await victim.setup()
    const killer = new LocalPoolShell()
    await killer.setup()
    const marker = `sleep 31.${process.pid}2`
    void victim.exec(`${marker}; ${marker}`).catch(() => undefined)
    expect(await waitFor(() => !processGone(`^${marker}$`), 2000)).toBe(true)
    const r = await killer.exec(killScript(info))
    expect(r.code).toBe(0)
    expect(await waitFor(() => processGone(`^${marker}$`), 1000)).toBe(true)
    expect(await waitFor(() => !victim.alive, 1000)).toBe(true)
    killer.proc.kill()
  })

  it('setup removes state files of pool shells that no longer exist', async () => {
    const stale = `/tmp/virtnet-watchdog.999999999.test${process.pid}`
    const live = `/tmp/virtnet-watchdog.${process.pid}.test${process.pid}`
    fs.writeFileSync(stale, '0\n')
    fs.writeFileSync(live, '0\n')
    const shell = new LocalPoolShell()
    const info = await shell.setup()
    expect(info.stateFile).toMatch(new RegExp(`/virtnet-watchdog\\.${info.pid}\\.[A-Za-z0-9]+$`))
    expect(fs.existsSync(stale)).toBe(false)
    expect(fs.existsSync(live)).toBe(true)
    fs.rmSync(live)
    shell.proc.kill()
  })

  it('decodes gzip-compressed stdin on the host side, byte for byte', async () => {
    const shell = new LocalPoolShell()
    await shell.setup()
    const text = Buffer.from('R 0000 nat -A VIRTNET_DNAT -p tcp --dport 30000 -j DNAT\n'.repeat(20_000))
    const result = await shell.exec('sha256sum; wc -c >&2', { stdin: text, gzip: true })
    expect(result.stdout.toString().split(' ')[0]).toBe(createHash('sha256').update(text).digest('hex'))
    expect(result.code).toBe(0)
    shell.proc.kill()
  })

  it('tells from the setup output whether the host shell has gzip (older output without it is refused)', () => {
    expect(parseSetupOutput('4242 -4242 /tmp/virtnet-watchdog.4242.abc gzip\n')?.gzip).toBe(true)
    expect(parseSetupOutput('4242 -4242 /tmp/virtnet-watchdog.4242.abc -\n')?.gzip).toBe(false)
    expect(parseSetupOutput('4242 -4242 /tmp/virtnet-watchdog.4242.abc\n')).toBeNull()
  })

  it('falls back to signalling the children when the shell does not own its process group', async () => {
    const shell = new LocalPoolShell(false)
    const info = await shell.setup()
    expect(info.killTarget).toBeNull()
    expect(killScript(info)).toContain(`pkill -TERM -P ${info.pid}`)
    shell.proc.kill()
  })
})
