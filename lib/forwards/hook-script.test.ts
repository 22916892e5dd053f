import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hookDigest, hookScript, type HookLocations } from '@/lib/forwards/hook-script'
import { renderStateFile, type ForwardRuleInput } from '@/lib/forwards/rules'

describe('hook script', () => {
  const script = hookScript()

  it('is valid POSIX sh (dash) and stable', () => {
    execFileSync('dash', ['-n'], { input: script })
    expect(hookDigest()).toBe(hookDigest(hookScript()))
  })

  it('never calls libvirt and applies with one bounded iptables-restore batch', () => {
    expect(script).not.toMatch(/\bvirsh\b|\bvirt-/)
    expect(script.match(/iptables-restore/g)).toHaveLength(1)
    expect(script).toContain('iptables-restore -w 5 --noflush')
  })

  it('gives every special builtin that redirects to a file "command", so a failed redirection cannot end it', () => {
    const commands = script.split('\n').flatMap((line) => line.split(/;|&&|\|\||\{|\(/))
    const unguarded = commands.filter((part) => /^\s*(exec|:)\s[^#]*[<>]/.test(part))
    expect(unguarded).toEqual([])
  })
})

/*
 * The generated hook runs under dash (Debian's /bin/sh) in a temporary root: the same script with its state file,
 * run directory and PATH moved there. PATH holds only the tools the hook uses, so the host's iptables is never
 * reached; where a path needs iptables, iptables-restore or flock, a small executable in that PATH plays it and
 * records what it got.
 */
const guestUuid = '6a1f0c3e-8d7b-4f2a-9c5e-1b2d3e4f5a6b'
const otherUuid = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b'
const forward = (uuid: string, id: string, guestIp: string): ForwardRuleInput => ({
  id,
  guestUuid: uuid,
  bridge: 'virbr7',
  subnet: '192.168.77.0/24',
  guestIp,
  protocol: 'tcp',
  hostPortStart: 20022,
  hostPortEnd: 20022,
  guestPortStart: 22,
  guestPortEnd: 22,
  hostAddress: null,
  sourceCidrs: [],
})
const table = renderStateFile([
  forward(guestUuid, 'fwd-guest', '192.168.77.10'),
  forward(otherUuid, 'fwd-other', '192.168.77.11'),
])
const domainXml = `<domain type='kvm'>\n  <name>vnf-guest</name>\n  <uuid>${guestUuid}</uuid>\n</domain>\n`
const networkXml = `<network>\n  <name>vnf-net</name>\n  <uuid>${otherUuid}</uuid>\n</network>\n`
const tools = ['awk', 'cat', 'date', 'head', 'ls', 'mkdir', 'rm', 'sed', 'tr', 'wc', 'flock']

const roots: string[] = []
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })))

type Root = ReturnType<typeof hookRoot>
function hookRoot() {
  const root = mkdtempSync(join(tmpdir(), 'vnf-hook-'))
  roots.push(root)
  const at: HookLocations = {
    state: join(root, 'var/lib/libvirt/virtnet/forwards.rules'),
    run: join(root, 'run/libvirt/virtnet'),
    path: join(root, 'bin'),
  }
  mkdirSync(at.path, { recursive: true })
  for (const tool of tools) {
    const real = execFileSync('dash', ['-c', 'command -v "$1"', 'dash', tool], { encoding: 'utf8' }).trim()
    symlinkSync(real, join(at.path, tool))
  }
  const write = (path: string, content: string, mode = 0o644) => {
    mkdirSync(dirname(path), { recursive: true })
    // A tool in the fake PATH may be a symlink to the real binary: replace the link, never write through it.
    rmSync(path, { force: true })
    writeFileSync(path, content)
    chmodSync(path, mode)
  }
  const hooks = {
    qemu: join(root, 'etc/libvirt/hooks/qemu.d/virtnet-forwards'),
    network: join(root, 'etc/libvirt/hooks/network.d/virtnet-forwards'),
    // The same file installed (copied or linked) straight as libvirt's main hooks.
    qemuMain: join(root, 'etc/libvirt/hooks/qemu'),
    networkMain: join(root, 'etc/libvirt/hooks/network'),
  }
  for (const path of Object.values(hooks)) write(path, hookScript(at), 0o755)
  write(at.state, table)
  const restored = join(root, 'restored')
  return {
    root,
    at,
    hooks,
    restored,
    write,
    /** An executable first (and only) in the hook's PATH. */
    fake: (name: string, body: string) => write(join(at.path, name), `#!/bin/sh\n${body}\n`, 0o755),
    /** iptables that lists no rules, iptables-restore that keeps each batch it gets. */
    workingIptables() {
      this.fake('iptables', 'exit 0')
      this.fake('iptables-restore', `cat >> '${restored}'; echo ---- >> '${restored}'`)
    },
    batches: () => (existsSync(restored) ? readFileSync(restored, 'utf8').split('----\n').filter(Boolean) : []),
  }
}

type Call = { hook: keyof Root['hooks']; args: string[]; input: string }
const qemuForms = [
  ['prepare', 'begin', '-'],
  ['start', 'begin', '-'],
  ['started', 'begin', '-'],
  ['reconnect', 'begin', '-'],
  ['attach', 'begin', '-'],
  ['migrate', 'begin', '-'],
  ['restore', 'begin', '-'],
  ['stopped', 'end', '-'],
  ['release', 'end', '-'],
  ['start', 'begin', '-', 'unexpected', 'extra'],
  ['start'],
  [],
]
const networkForms = [
  ['start', 'begin', '-'],
  ['started', 'begin', '-'],
  ['port-created', 'begin', '-'],
  ['updated', 'begin', '-'],
  ['port-deleted', 'end', '-'],
  ['stopped', 'end', '-'],
  [],
]
const libvirtCalls: Call[] = [
  ...(['qemu', 'qemuMain'] as const).flatMap((hook) =>
    qemuForms.map((form) => ({ hook, args: form.length ? ['vnf-guest', ...form] : [], input: domainXml })),
  ),
  { hook: 'qemu', args: ['vnf-guest', 'start', 'begin', '-'], input: '' },
  { hook: 'qemu', args: ['vnf-guest', 'reconnect', 'begin', '-'], input: '\u0001<uuid>not-a-uuid;rm</uuid>' },
  ...(['network', 'networkMain'] as const).flatMap((hook) =>
    networkForms.map((form) => ({ hook, args: form.length ? ['vnf-net', ...form] : [], input: networkXml })),
  ),
]

/*
 * A hang (awk on a FIFO, an unbounded lock wait) would block libvirt as surely as a non-zero exit: timeout cuts the
 * run off (status 137), its children included.
 */
function dash(args: string[], input: string) {
  return spawnSync('timeout', ['-s', 'KILL', '15', 'dash', ...args], { input, encoding: 'utf8' })
}

/** Runs every call libvirt makes, as libvirt does: the installed file as the program, the XML on stdin. */
function runAsLibvirt(at: Root) {
  return libvirtCalls.map(({ hook, args, input }) => {
    const result = dash([at.hooks[hook], ...args], input)
    return { call: `${hook} ${args.join(' ')}`, status: result.status, stdout: result.stdout, stderr: result.stderr }
  })
}
const allExitZero = (outcomes: ReturnType<typeof runAsLibvirt>) =>
  outcomes.map(({ call }) => ({ call, status: 0, stdout: '' }))
const statuses = (outcomes: ReturnType<typeof runAsLibvirt>) =>
  outcomes.map(({ call, status, stdout }) => ({ call, status, stdout }))

/** Virtnet's own apply: the script on stdin, `sh -s -- apply UUID...`. */
function applyAsVirtnet(at: Root, args: string[]) {
  return dash(['-s', '--', ...args], hookScript(at.at))
}

const failurePaths: Array<[string, (at: Root) => void]> = [
  [
    'a run directory that cannot be created (no lock, no record of running guests, no log)',
    (at) => {
      at.workingIptables()
      at.write(dirname(at.at.run), 'a file where the directory should be')
    },
  ],
  [
    'a lock file that cannot be opened',
    (at) => {
      at.workingIptables()
      mkdirSync(join(at.at.run, 'forwards.lock'), { recursive: true })
    },
  ],
  [
    'a log that cannot be written',
    (at) => {
      at.workingIptables()
      mkdirSync(join(at.at.run, 'forwards.log'), { recursive: true })
    },
  ],
  [
    'a corrupt table',
    (at) => {
      at.workingIptables()
      at.write(at.at.state, `R zz nat -A VIRTNET_DNAT ; rm -rf /\n\u0001\u0002garbage\nR ${guestUuid} nat\n\n\u00ff`)
    },
  ],
  [
    'a cut-off table',
    (at) => {
      at.workingIptables()
      at.write(at.at.state, table.slice(0, table.indexOf('--dport') + 3))
    },
  ],
  [
    'a table that is a directory',
    (at) => {
      at.workingIptables()
      rmSync(at.at.state)
      mkdirSync(at.at.state)
    },
  ],
  [
    'a table that is a FIFO',
    (at) => {
      at.workingIptables()
      rmSync(at.at.state)
      execFileSync('mkfifo', [at.at.state])
    },
  ],
  [
    'no table',
    (at) => {
      at.workingIptables()
      rmSync(at.at.state)
    },
  ],
  ['no iptables and no iptables-restore', () => undefined],
  [
    'iptables failing and iptables-restore refusing the batch',
    (at) => {
      at.fake('iptables', 'echo "iptables: Permission denied" >&2; exit 4')
      at.fake('iptables-restore', 'cat >/dev/null; echo "iptables-restore: line 5 failed" >&2; exit 1')
    },
  ],
  [
    'flock failing',
    (at) => {
      at.workingIptables()
      at.fake('flock', 'echo "flock: failed to get lock" >&2; exit 1')
    },
  ],
]

// Some 40 dash runs per test: more than the default 5 s on a busy machine.
describe('the hook run by libvirt, under dash', { timeout: 60_000 }, () => {
  it("applies the running guests' rules on start and drops them on stop (the temporary root is really used)", () => {
    const at = hookRoot()
    at.workingIptables()
    const outcomes = runAsLibvirt(at)
    expect(statuses(outcomes)).toEqual(allExitZero(outcomes))
    const [started] = at.batches()
    expect(started).toContain('-A VIRTNET_DNAT ! -d 127.0.0.0/8 -p tcp -m tcp --dport 20022')
    expect(started).toContain('--to-destination 192.168.77.10:22')
    expect(started).not.toContain('192.168.77.11')
    expect(at.batches().filter((batch) => batch.includes('-X VIRTNET_DNAT'))).toHaveLength(1)
    expect(readFileSync(join(at.at.run, 'forwards.log'), 'utf8')).toContain('applied (qemu start vnf-guest)')
  })

  it.each(failurePaths)('exits 0 with no output on stdout for every libvirt call, with %s', (_, breakIt) => {
    const at = hookRoot()
    breakIt(at)
    const outcomes = runAsLibvirt(at)
    expect(statuses(outcomes)).toEqual(allExitZero(outcomes))
  })

  it('says on stderr what went wrong when it cannot log', () => {
    const at = hookRoot()
    at.workingIptables()
    at.write(dirname(at.at.run), 'a file where the directory should be')
    const result = dash([at.hooks.qemu, 'vnf-guest', 'start', 'begin', '-'], domainXml)
    expect(result.status).toBe(0)
    expect(result.stderr).toContain(`cannot write ${at.at.run}/forwards-active/${guestUuid}`)
  })

  it('does nothing under another name unless asked to apply: no table applied, the running guests kept', () => {
    const at = hookRoot()
    at.workingIptables()
    expect(applyAsVirtnet(at, ['apply', guestUuid]).status).toBe(0)
    const applied = at.batches().length
    const copy = join(at.root, 'usr/local/bin/virtnet-forwards')
    at.write(copy, hookScript(at.at), 0o755)
    for (const args of [['vnf-guest', 'start', 'begin', '-'], [guestUuid], []])
      expect(dash([copy, ...args], domainXml).status).toBe(0)
    expect(applyAsVirtnet(at, [guestUuid]).status).toBe(0)
    expect(at.batches()).toHaveLength(applied)
    expect(existsSync(join(at.at.run, 'forwards-active', guestUuid))).toBe(true)
  })
})

describe("Virtnet's apply (sh -s -- apply UUID...), under dash", { timeout: 60_000 }, () => {
  it('applies the rules of the guests it is given and exits 0', () => {
    const at = hookRoot()
    at.workingIptables()
    const result = applyAsVirtnet(at, ['apply', otherUuid])
    expect(result).toMatchObject({ status: 0, stdout: '' })
    expect(at.batches()).toHaveLength(1)
    expect(at.batches()[0]).toContain('--to-destination 192.168.77.11:22')
    expect(at.batches()[0]).not.toContain('192.168.77.10')
  })

  const failures: Array<[string, (at: Root) => void]> = [
    ['iptables-restore refuses the batch', failurePaths.find(([name]) => name.includes('refusing'))![1]],
    ['there is no iptables-restore', () => undefined],
    ['the run directory cannot be created', failurePaths[0]![1]],
    ['the lock file cannot be opened', failurePaths[1]![1]],
  ]
  it.each(failures)('exits non-zero when %s, so the executor undoes the change', (_, breakIt) => {
    const at = hookRoot()
    breakIt(at)
    const result = applyAsVirtnet(at, ['apply', guestUuid])
    expect(result.status).not.toBe(0)
    expect(result.status).not.toBeNull()
    expect(result.stderr).not.toBe('')
  })
})
