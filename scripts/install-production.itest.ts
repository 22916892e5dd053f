// The production install (scripts/install-production.sh) into a temporary root on this machine, without anything of
// the lab: no apt, no systemctl, no sshd or virsh is called (stubs on PATH would record it). Then the service is
// started the way systemd would start the installed unit: its ExecStartPre and ExecStart lines, its
// EnvironmentFile and Environment, its User (runuser), UMask and WorkingDirectory, in the foreground; the login page
// answers; SIGTERM stops it. systemd itself does not run here, so the sandboxing lines (ProtectSystem=, ...) are
// checked by `systemd-analyze verify`, not enforced.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inHostB } from '@/lib/test/lab'

const run = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '..')
const user = 'virtnet'
const port = 3187
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vnp-install-'))
const stubs = path.join(os.tmpdir(), `${path.basename(root)}-stubs`)
const stubLog = path.join(stubs, 'calls.log')
const unitFile = path.join(root, 'etc/systemd/system/virtnet.service')
const envFile = path.join(root, 'etc/virtnet/virtnet.env')
const forbidden = ['apt-get', 'apt', 'dpkg', 'systemctl', 'sshd', 'virsh', 'virt-install', 'qemu-system-x86_64']

function install(...args: string[]) {
  return run('bash', [path.join(repo, 'scripts/install-production.sh'), '--root', root, ...args], {
    env: { ...process.env, PATH: `${stubs}:${process.env.PATH}` },
    maxBuffer: 64 * 1024 * 1024,
  })
}

/** The [Service] section of a unit: every value of each key, in order. */
function serviceSection(unit: string): Map<string, string[]> {
  const section = unit.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!
  const keys = new Map<string, string[]>()
  for (const line of section.split('\n')) {
    const match = line.match(/^([A-Za-z]+)=(.*)$/)
    if (match) keys.set(match[1]!, [...(keys.get(match[1]!) ?? []), match[2]!])
  }
  return keys
}

/** An environment file the way systemd reads it: KEY=value lines; blank lines and # comments skipped. */
function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
}

/** A command line of the unit: words split on spaces, ${VAR} replaced from the environment, as systemd does. */
function commandOf(line: string, env: Record<string, string>): string[] {
  return line.split(/\s+/).map((word) => word.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? ''))
}

type Service = { user: string; cwd: string; umask: string; env: Record<string, string>; pre: string[]; start: string }

function readService(envOverrides: Record<string, string | undefined> = {}): Service {
  const service = serviceSection(fs.readFileSync(unitFile, 'utf8'))
  const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' }
  for (const file of service.get('EnvironmentFile')!) Object.assign(env, parseEnvFile(fs.readFileSync(file, 'utf8')))
  for (const line of service.get('Environment') ?? []) Object.assign(env, parseEnvFile(line.split(/\s+/).join('\n')))
  for (const [name, value] of Object.entries(envOverrides)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return {
    user: service.get('User')![0]!,
    cwd: service.get('WorkingDirectory')![0]!,
    umask: service.get('UMask')![0]!,
    env,
    pre: service.get('ExecStartPre')!,
    start: service.get('ExecStart')![0]!,
  }
}

/** One of the unit's command lines as its user, with only the unit's environment and umask. */
function asService(service: Service, line: string): ChildProcess {
  const command = commandOf(line, service.env)
  const envArgs = Object.entries(service.env).map(([name, value]) => `${name}=${value}`)
  return spawn(
    'runuser',
    [
      '-u',
      service.user,
      '--',
      'env',
      '-i',
      ...envArgs,
      'sh',
      '-c',
      `umask ${service.umask} && exec "$@"`,
      'sh',
      ...command,
    ],
    { cwd: service.cwd },
  )
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

/** Owner, group and mode of each path, for comparing two installs. */
function stateOf(paths: string[]) {
  return paths.map((file) => {
    const stat = fs.statSync(file)
    return { file, uid: stat.uid, gid: stat.gid, mode: (stat.mode & 0o7777).toString(8) }
  })
}

describe('production install into a temporary root, started the way the unit starts it', () => {
  const userExisted = (() => {
    try {
      return fs
        .readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .some((line) => line.startsWith(`${user}:`))
    } catch {
      return false
    }
  })()
  let server: ChildProcess | undefined
  let firstInstall = ''
  let secondInstall = ''
  let firstState: ReturnType<typeof stateOf>
  let secondState: ReturnType<typeof stateOf>
  let sealKeyBefore = ''
  let editedEnv = ''

  const watched = () => [
    `${root}/opt/virtnet`,
    `${root}/opt/virtnet/.next/BUILD_ID`,
    `${root}/var/lib/virtnet`,
    `${root}/var/lib/virtnet/ssh`,
    `${root}/var/lib/virtnet-audit`,
    `${root}/var/lib/virtnet-audit/seal.key`,
    `${root}/etc/virtnet`,
    envFile,
    unitFile,
    `${root}/usr/local/sbin/virtnet-admin`,
  ]

  beforeAll(async () => {
    fs.chmodSync(root, 0o755)
    fs.mkdirSync(stubs)
    for (const name of forbidden)
      fs.writeFileSync(path.join(stubs, name), `#!/bin/sh\necho "${name} $*" >> ${stubLog}\nexit 1\n`, { mode: 0o755 })
    firstInstall = (await install()).stdout
    firstState = stateOf(watched())
    sealKeyBefore = fs.readFileSync(`${root}/var/lib/virtnet-audit/seal.key`, 'utf8')
    // The operator's edit of the environment file survives a second run.
    fs.writeFileSync(envFile, fs.readFileSync(envFile, 'utf8').replace(/^PORT=.*$/m, `PORT=${port}`))
    editedEnv = fs.readFileSync(envFile, 'utf8')
    // The second run keeps the first one's build: building is the same code again, and minutes of CPU.
    secondInstall = (await install('--keep-build')).stdout
    secondState = stateOf(watched())
  }, 1_200_000)

  afterAll(async () => {
    // Still running: neither an exit code nor the signal that ended it.
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL')
      await new Promise((resolve) => server!.once('close', resolve))
    }
    // Most of a gigabyte of node_modules: asynchronously, and with time for a loaded machine.
    await run('rm', ['-rf', root, stubs])
    if (!userExisted) await run('userdel', [user])
  }, 600_000)

  it('installs without the lab and creates the user, folders and files with their modes', () => {
    expect(firstInstall).toContain('== Installed')
    expect(fs.existsSync(stubLog) ? fs.readFileSync(stubLog, 'utf8') : '').toBe('')
    const passwd = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`${user}:`))!
    const [, , uid, , , home, shell] = passwd.split(':')
    expect(Number(uid)).toBeLessThan(1000)
    expect(home).toBe(`${root}/var/lib/virtnet`)
    expect(shell).toBe('/usr/sbin/nologin')
    const owner = Number(uid)
    const byFile = Object.fromEntries(firstState.map(({ file, ...rest }) => [file.slice(root.length), rest]))
    expect(byFile['/var/lib/virtnet']).toMatchObject({ uid: owner, mode: '700' })
    expect(byFile['/var/lib/virtnet/ssh']).toMatchObject({ uid: owner, mode: '700' })
    expect(byFile['/var/lib/virtnet-audit']).toMatchObject({ uid: owner, mode: '700' })
    expect(byFile['/var/lib/virtnet-audit/seal.key']).toMatchObject({ uid: owner, mode: '600' })
    expect(byFile['/etc/virtnet']).toMatchObject({ uid: 0, mode: '700' })
    expect(byFile['/etc/virtnet/virtnet.env']).toMatchObject({ uid: 0, mode: '600' })
    // The code belongs to root: the service cannot change it.
    expect(byFile['/opt/virtnet']).toMatchObject({ uid: 0, mode: '755' })
    expect(sealKeyBefore.trim()).toMatch(/^[0-9a-f]{64}$/)
    // Development packages pruned: the service runs on the production dependencies only.
    expect(fs.existsSync(`${root}/opt/virtnet/node_modules/next`)).toBe(true)
    // (npm keeps a development package that is also an optional peer of a production one, such as typescript.)
    for (const devOnly of ['vitest', 'eslint', 'prettier', 'tailwindcss'])
      expect(fs.existsSync(`${root}/opt/virtnet/node_modules/${devOnly}`), devOnly).toBe(false)
  })

  // useradd renames a new /etc/passwd into place on this machine; lab host B keeps its own user database (its /etc
  // overlay), where a bind of the single file was dropped by the kernel at that rename and B's sudo user was gone.
  it("leaves lab host B's own user database alone: its sudo user is still there", () => {
    expect(inHostB('id -u vnsudo').trim()).toBe('60577')
  })

  it('gives the same result when run again, keeping the data, the seal key and the edited environment file', () => {
    expect(secondInstall).toContain('kept (an existing environment file is never overwritten)')
    expect(secondState).toEqual(firstState)
    expect(fs.readFileSync(envFile, 'utf8')).toBe(editedEnv)
    expect(fs.readFileSync(`${root}/var/lib/virtnet-audit/seal.key`, 'utf8')).toBe(sealKeyBefore)
    expect(fs.existsSync(`${root}/opt/virtnet.new`) || fs.existsSync(`${root}/opt/virtnet.old`)).toBe(false)
  })

  it('ships a unit that systemd-analyze verifies, as shipped and as installed', async () => {
    for (const unit of [path.join(repo, 'deploy/systemd/virtnet.service'), unitFile]) {
      const { stdout, stderr } = await run('systemd-analyze', ['verify', unit])
      expect(`${stdout}${stderr}`, unit).toBe('')
    }
    const service = serviceSection(fs.readFileSync(unitFile, 'utf8'))
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      PrivateTmp: 'yes',
      Restart: 'on-failure',
      ReadWritePaths: `${root}/var/lib/virtnet ${root}/var/lib/virtnet-audit`,
      User: user,
    }))
      expect(service.get(key), key).toEqual([value])
    expect(service.get('ExecStartPre')!.some((line) => line.includes('scripts/db/migrate.ts'))).toBe(true)
  })

  it('refuses to start on a wrong environment file, saying what is wrong', async () => {
    const service = readService({
      PORT: '99999',
      VIRTNET_LISTEN_ADDRESS: undefined,
      VIRTNET_DATA_DIR: 'var/lib/virtnet',
    })
    const check = await finished(asService(service, service.pre[0]!))
    expect(check.code).toBe(78)
    expect(check.stderr).toContain('Virtnet will not start; fix its environment file')
    expect(check.stderr).toContain('PORT must be a TCP port number between 1 and 65535')
    expect(check.stderr).toContain('VIRTNET_LISTEN_ADDRESS is not set; the service needs it in its environment file')
    expect(check.stderr).toContain('VIRTNET_DATA_DIR must be an absolute path')
  })

  it('starts as its own user the way the unit starts it: checks, migrates, serves the login page, stops on SIGTERM', async () => {
    const service = readService()
    expect(service.env.PORT).toBe(String(port))
    for (const line of service.pre) {
      const step = await finished(asService(service, line))
      expect(step.stderr, line).toBe('')
      expect(step.code, line).toBe(0)
    }
    server = asService(service, service.start)
    const served = finished(server)
    // Ready: the database answers and its migrations are the ones this build ships (app/api/ready).
    const deadline = Date.now() + 120_000
    let status = 0
    while (status !== 200 && Date.now() < deadline) {
      status = await fetch(`http://127.0.0.1:${port}/api/ready`).then(
        (response) => response.status,
        () => 0,
      )
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(status).toBe(200)
    expect((await fetch(`http://127.0.0.1:${port}/login`)).status).toBe(200)

    // What it wrote belongs to its user, with the unit's umask, inside the data directory.
    const owner = fs.statSync(`${root}/var/lib/virtnet`).uid
    for (const file of ['virtnet.db', 'first-admin.txt', 'ssh/id_ed25519']) {
      const stat = fs.statSync(`${root}/var/lib/virtnet/${file}`)
      expect(stat.uid, file).toBe(owner)
      expect(stat.mode & 0o077, file).toBe(0)
    }

    // systemd stops a service with SIGTERM; runuser passes it on and the server ends.
    server.kill('SIGTERM')
    await served
    const after = await fetch(`http://127.0.0.1:${port}/login`).then(
      () => 'answered',
      () => 'refused',
    )
    expect(after).toBe('refused')

    // The operator's commands run as the service's user on the service's environment alone (this process's
    // DATABASE_URL, the integration suite's, does not leak in): a backup of what the service wrote, and the audit check.
    fs.mkdirSync(`${root}/backups`, { mode: 0o700 })
    fs.chownSync(`${root}/backups`, owner, fs.statSync(`${root}/var/lib/virtnet`).gid)
    const admin = `${root}/usr/local/sbin/virtnet-admin`
    const backup = await run('bash', [admin, 'backup', `${root}/backups`])
    const [, records] = backup.stdout.match(/^Backed up (\d+) audit records, \d+ migrations and the SSH key/m)!
    expect(Number(records)).toBeGreaterThan(0)
    const verified = await run('bash', [admin, 'audit-verify'])
    expect(verified.stdout).toContain(`OK: ${records} records chained, ${records} sealed`)
  })
})
