import fs from 'node:fs'
import path from 'node:path'
import { vi } from 'vitest'
import { db } from '@/lib/db/client'
import type { HostRow } from '@/lib/hosts/store'
import { shellQuote } from '@/lib/ssh'
import { inHostA, inHostB, inHostC, labFingerprint } from '@/lib/test/lab'

/*
 * A second way into lab host B (or C): a veth pair from this machine into B's network namespace and an sshd of the test's
 * own on B's end, with B's own host key (so lab-b's pinned fingerprint holds). Tests use it for a host record of their
 * own (hosts are unique per address and port), for a NIC they may bridge, or to show the dashboard a host whose
 * /sys or /etc is something else (`launch` runs the sshd in a private mount namespace). Host C runs chrooted in its
 * own Debian root, which sees only the lab's directory of this machine's files: its door's sshd files are inside C.
 */

const root = path.resolve(import.meta.dirname, '../..')

export type SideDoor = {
  /** the lab host the door leads into */
  host: 'b' | 'c'
  /** this machine's end of the veth pair and its address */
  vethA: string
  addrA: string
  /** B's end (a NIC of host B) and the address the sshd listens on */
  vethB: string
  addrB: string
  /** the sshd's configuration, pid and log (a path on host C for a door into C) */
  dir: string
}

const inDoorHost = (door: SideDoor, script: string) => (door.host === 'c' ? inHostC(script) : inHostB(script))

/** Names and addresses of a side door: `tag` makes the interface names, `net` the /30 (`10.79` → 10.79.x.0/30). */
export function sideDoor(tag: string, net: string, options: { vethB?: string; host?: 'b' | 'c' } = {}): SideDoor {
  const n = process.pid % 100000
  const subnet = 10 + (n % 200)
  const host = options.host ?? 'b'
  return {
    host,
    vethA: `${tag}${n}a`,
    vethB: options.vethB ?? `${tag}${n}b`,
    addrA: `${net}.${subnet}.1`,
    addrB: `${net}.${subnet}.2`,
    dir: host === 'c' ? `/run/${tag}-sshd-${n}` : path.join(root, `data/test/${tag}-sshd-${n}`),
  }
}

/**
 * Opens the door: the veth pair (re-created if a failed run left it), B's address, and the sshd started through
 * `launch` (which receives the sshd command line). Resolves to the sshd's pid once it is listening.
 */
export async function openSideDoor(door: SideDoor, launch: (sshd: string) => string = (sshd) => sshd): Promise<string> {
  const hostPid = inHostA(`cat ${root}/data/lab/${door.host}/libvirtd.pid`).trim()
  inHostA(
    `ip link del ${door.vethA} 2>/dev/null; ip link add ${door.vethA} type veth peer name ${door.vethB} netns /proc/${hostPid}/ns/net && ip addr add ${door.addrA}/30 dev ${door.vethA} && ip link set ${door.vethA} up`,
  )
  inDoorHost(door, `ip addr add ${door.addrB}/30 dev ${door.vethB} && ip link set ${door.vethB} up`)
  const pidFile = path.join(door.dir, 'sshd.pid')
  const labConfig = door.host === 'c' ? 'data/lab/c/sshd/sshd_config' : 'data/lab/b/sshd_config'
  const config = fs
    .readFileSync(path.join(root, labConfig), 'utf8')
    .replace(/^ListenAddress .*$/m, `ListenAddress ${door.addrB}:22`)
    .replace(/^PidFile .*$/m, `PidFile "${pidFile}"`)
  if (door.host === 'c')
    inHostC(`mkdir -p ${door.dir} && rm -f ${pidFile} && cat > ${door.dir}/sshd_config <<'EOF'\n${config}\nEOF`)
  else {
    fs.mkdirSync(door.dir, { recursive: true })
    fs.rmSync(pidFile, { force: true })
    fs.writeFileSync(path.join(door.dir, 'sshd_config'), config)
  }
  inDoorHost(door, launch(`/usr/sbin/sshd -f ${door.dir}/sshd_config -E ${door.dir}/sshd.log`))
  // sshd creates the file before it writes its pid into it
  const pidOf = () =>
    door.host === 'c'
      ? inHostC(`cat ${pidFile} 2>/dev/null || true`).trim()
      : fs.existsSync(pidFile)
        ? fs.readFileSync(pidFile, 'utf8').trim()
        : ''
  await vi.waitUntil(() => pidOf() !== '', { timeout: 10_000, interval: 100 })
  return pidOf()
}

/** The dashboard's record of host B reached through the door. */
export function sideDoorHost(door: SideDoor, name: string): Promise<HostRow> {
  return db.host.create({
    data: {
      name,
      address: door.addrB,
      port: 22,
      username: 'root',
      pinnedFingerprint: labFingerprint(door.host === 'c' ? 'lab-c' : 'lab-b'),
    },
  })
}

/** A command in the door's sshd's namespaces: the host as the dashboard's sessions through the door see it. */
export function inSideDoor(sshdPid: string, script: string): string {
  return inHostA(`nsenter -t ${sshdPid} -m -n -u -- sh -c ${shellQuote(`${script} 2>&1 || true`)}`)
}

/** Closes the door: stops its sshd, removes the veth pair (the host's end goes with it) and the sshd's files. */
export function closeSideDoor(door: SideDoor): void {
  if (door.host === 'c') {
    inHostC(`kill $(cat ${door.dir}/sshd.pid 2>/dev/null) 2>/dev/null; rm -rf ${door.dir}; true`)
    inHostA(`ip link del ${door.vethA} 2>/dev/null; true`)
    return
  }
  inHostA(`kill $(cat ${door.dir}/sshd.pid 2>/dev/null) 2>/dev/null; ip link del ${door.vethA} 2>/dev/null; true`)
  fs.rmSync(door.dir, { recursive: true, force: true })
}
