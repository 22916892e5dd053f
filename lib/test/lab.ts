// Test helpers for the lab hosts that `npm run lab` provides: their addresses, key fingerprints read from the
// key files on this machine, and commands run inside host B's namespaces.
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'

/** lab-b-sudo is host B reached as the non-root user vnsudo, every command through `sudo -n`. */
export type LabHostName = 'lab-a' | 'lab-b' | 'lab-c' | 'lab-spare' | 'lab-b-sudo'
type LabHost = {
  name: LabHostName
  address: string
  port: number
  username: string
  useSudo?: boolean
  hostKeyFile: string
  guests: string[]
}

const root = path.resolve(import.meta.dirname, '../..')

let labHosts: LabHost[] | undefined

/**
 * The lab's hosts as this checkout's lab script defines them (`lab.sh hosts`, what its `up` writes to hosts.json), so
 * a lab brought up by another checkout with other hosts cannot swap the list under a running test.
 */
export function labHost(name: LabHostName): LabHost {
  labHosts ??= JSON.parse(
    execFileSync('bash', [path.join(root, 'scripts/lab/lab.sh'), 'hosts'], { encoding: 'utf8' }),
  ) as LabHost[]
  const host = labHosts.find((h) => h.name === name)
  if (!host) throw new Error(`The lab has no host ${name}: run npm run lab`)
  return host
}

export function labFingerprint(name: LabHostName): string {
  return execFileSync('ssh-keygen', ['-lf', labHost(name).hostKeyFile], { encoding: 'utf8' }).split(' ')[1]!
}

/** The lab host as a registered, pinned host row in the test database (created once per database). */
export async function registeredLabHost(
  name: LabHostName,
): Promise<{ row: HostRow; target: ReturnType<typeof toTarget> }> {
  const lab = labHost(name)
  const row =
    (await db.host.findUnique({ where: { name } })) ??
    (await db.host.create({
      data: {
        name,
        address: lab.address,
        port: lab.port,
        username: lab.username,
        useSudo: lab.useSudo ?? false,
        pinnedFingerprint: labFingerprint(name),
      },
    }))
  return { row, target: toTarget(row) }
}

/** Runs a command inside host B's namespaces, bypassing the dashboard: the tests' independent view of the host. */
export function inHostB(script: string): string {
  return execFileSync('bash', [path.join(root, 'scripts/lab/lab.sh'), 'exec-b', '--', 'sh', '-c', script], {
    encoding: 'utf8',
  })
}

/** Runs a command on host C (its namespaces and its Debian 13 root), bypassing the dashboard. */
export function inHostC(script: string): string {
  return execFileSync('bash', [path.join(root, 'scripts/lab/lab.sh'), 'exec-c', '--', 'sh', '-c', script], {
    encoding: 'utf8',
  })
}

/** What an operator does on every lab host to let a dashboard key in (root's keys on A and B, vnsudo's on B). */
export function authorizeKeyOnLabHosts(publicKey: string): void {
  execFileSync('bash', [path.join(root, 'scripts/lab/lab.sh'), 'authorize-key', publicKey])
}

/** And to take it out again. */
export function unauthorizeKeyOnLabHosts(publicKey: string): void {
  execFileSync('bash', [path.join(root, 'scripts/lab/lab.sh'), 'unauthorize-key', publicKey])
}

/** The same for host A, which is this machine. */
export function inHostA(script: string): string {
  return execFileSync('sh', ['-c', script], { encoding: 'utf8' })
}

/**
 * A network name (prefix-N) that the host's /run/libvirt/network lists after default.xml, whose network has the lab
 * guest's port: the order in which libvirt 9.0's reload gives up before reaching it (see lib/dhcp/live-status.ts).
 * Found by listing default.xml and the candidates, created in that order, in a scratch directory of the same file
 * system (ext4 lists by name hash, tmpfs by creation order: either way the scratch listing matches the real one).
 * `exec` runs the listing on the host (host B unless told).
 */
export function networkNameListedAfterDefault(prefix: string, exec: (script: string) => string = inHostB): string {
  const candidates = Array.from({ length: 16 }, (_, i) => `${prefix}-${i}`)
  const listing = exec(
    `d=$(mktemp -d /run/libvirt/.vnprobe.XXXXXX) && cd "$d" && touch default.xml ${candidates.map((c) => `${c}.xml`).join(' ')} && ls -U; rm -rf "$d"`,
  )
  const files = listing.split('\n').filter((f) => f.endsWith('.xml'))
  const name = files.slice(files.indexOf('default.xml') + 1)[0]?.replace(/\.xml$/, '')
  if (!name) throw new Error(`no candidate name is listed after default.xml: ${files.join(' ')}`)
  return name
}

/**
 * Makes host B's sshd a black hole: a DROP rule inside B for every packet to port 22, open connections included, so
 * the dashboard's connection goes silent the way it does when a host hangs or a firewall in between starts dropping
 * (no reset, no error: nothing comes back). Other helpers and tests share host B, so keep the window short. Returns
 * the function that removes the rule (idempotent); it also runs when the process exits, and a timer inside B removes
 * the rule after `maxSeconds` whatever happens to this process.
 */
export function blackHoleHostBSsh(tag: string, maxSeconds = 60): () => void {
  return blackHoleSsh(tag, { exec: inHostB, maxSeconds })
}

/**
 * The same on any lab libvirt host (`exec` runs inside it; its iptables is iptables-nft on host C), and when
 * `address` is given only for packets to that address: a side door's sshd (lib/test/side-door.ts), so that the other
 * tests' sessions to the host's own address go on.
 */
export function blackHoleSsh(
  tag: string,
  { exec, address, maxSeconds = 60 }: { exec: (script: string) => string; address?: string; maxSeconds?: number },
): () => void {
  const comment = `${tag}-${process.pid}-${Date.now()}`
  const rule = `INPUT${address ? ` -d ${address}` : ''} -p tcp --dport 22 -m comment --comment ${comment} -j DROP`
  const remove = `while iptables -w 10 -D ${rule} 2>/dev/null; do :; done`
  exec(`iptables -w 10 -I ${rule} && { setsid sh -c 'sleep ${maxSeconds}; ${remove}' </dev/null >/dev/null 2>&1 & }`)
  let removed = false
  const restore = () => {
    if (removed) return
    removed = true
    process.off('exit', restore)
    exec(`${remove}; ! iptables -w 10 -C ${rule} 2>/dev/null`)
  }
  process.once('exit', restore)
  return restore
}

/**
 * The lab's libvirt hosts a host-facing suite runs against (`describe.each(libvirtLabHosts)`), so version differences
 * are found by tests: B (Debian 12, libvirt 9, iptables backend) and C (Debian 13, libvirt 11, nftables backend).
 */
export const libvirtLabHosts = [
  {
    name: 'lab-b',
    libvirt: '9.0.0',
    firewall: 'iptables',
    guest: 'vnlab-b1',
    mac: '52:54:00:77:0b:01',
    exec: inHostB,
    /** lab.sh's command that runs a command inside the host, for a process a test spawns there itself */
    labExec: 'exec-b',
    /** the host's network namespace on this machine, where a test's own namespace plugs a veth into */
    netns: 'vnlab-b',
  },
  {
    name: 'lab-c',
    libvirt: '11.3.0',
    firewall: 'nftables',
    guest: 'vnlab-c1',
    mac: '52:54:00:77:0c:01',
    exec: inHostC,
    labExec: 'exec-c',
    netns: 'vnlab-c',
  },
] as const
