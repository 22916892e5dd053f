import path from 'node:path'
import fs from 'node:fs'
import { vi } from 'vitest'
import { db } from '@/lib/db/client'
import type { Prisma } from '@/lib/db/generated/client'
import type { HostRow } from '@/lib/hosts/store'
import { shellQuote } from '@/lib/ssh'
import { inHostA, labFingerprint, labHost, libvirtLabHosts } from '@/lib/test/lab'

/*
 * A second way into a lab libvirt host (B unless told, or C): a veth pair from this machine into the host's network
 * namespace and an sshd of the test's own on the host's end, with the host's own host key (so its pinned fingerprint
 * holds). Tests use it for a host record of their own (hosts are unique per address and port), for a NIC they may
 * bridge, or to show the dashboard a host whose /sys or /etc is something else (`launch` runs the sshd in a private
 * mount namespace). The sshd's files live inside the host (/run/virtnet-test), written through the lab's own view of
 * it: host C's root is not this machine's.
 */

export type SideDoorHost = (typeof libvirtLabHosts)[number]

export type SideDoor = {
  /** the lab host the door leads into */
  host: SideDoorHost
  /** this machine's end of the veth pair and its address */
  vethA: string
  addrA: string
  /** the host's end (a NIC of the host) and the address the sshd listens on */
  vethB: string
  addrB: string
  /** the sshd's configuration, pid and log: a directory inside the host */
  dir: string
  /** the sshd's pid once the door is open */
  pid?: string
}

/** Names and addresses of a side door: `tag` makes the interface names, `net` the /30 (`10.79` → 10.79.x.0/30). */
export function sideDoor(tag: string, net: string, options: { vethB?: string; host?: SideDoorHost } = {}): SideDoor {
  const n = process.pid % 100000
  const subnet = 10 + (n % 200)
  return {
    host: options.host ?? libvirtLabHosts[0],
    vethA: `${tag}${n}a`,
    vethB: options.vethB ?? `${tag}${n}b`,
    addrA: `${net}.${subnet}.1`,
    addrB: `${net}.${subnet}.2`,
    dir: `/run/virtnet-test/${tag}-sshd-${n}`,
  }
}

/**
 * Opens the door: the veth pair (re-created if a failed run left it), the host's address, and the sshd started through
 * `launch` (which receives the sshd command line). Resolves to the sshd's pid once it is listening.
 */
export async function openSideDoor(door: SideDoor, launch: (sshd: string) => string = (sshd) => sshd): Promise<string> {
  const { exec, netns, name } = door.host
  inHostA(
    `ip link del ${door.vethA} 2>/dev/null; ip link add ${door.vethA} type veth peer name ${door.vethB} netns ${netns} && ip addr add ${door.addrA}/30 dev ${door.vethA} && ip link set ${door.vethA} up`,
  )
  exec(`ip addr add ${door.addrB}/30 dev ${door.vethB} && ip link set ${door.vethB} up`)
  const pidFile = `${door.dir}/sshd.pid`
  // the host's own sshd configuration sits beside its host key (in the lab's directory, which host C sees too)
  const config = fs
    .readFileSync(path.join(path.dirname(labHost(name).hostKeyFile), 'sshd_config'), 'utf8')
    .replace(/^ListenAddress .*$/m, `ListenAddress ${door.addrB}:22`)
    .replace(/^PidFile .*$/m, `PidFile "${pidFile}"`)
  exec(`mkdir -p ${door.dir} && rm -f ${pidFile} && cat > ${door.dir}/sshd_config <<'VN_SSHD_CONFIG'
${config.endsWith('\n') ? config : `${config}\n`}VN_SSHD_CONFIG`)
  exec(launch(`/usr/sbin/sshd -f ${door.dir}/sshd_config -E ${door.dir}/sshd.log`))
  // sshd creates the file before it writes its pid into it
  const pidOf = () => exec(`cat ${pidFile} 2>/dev/null || true`).trim()
  await vi.waitUntil(() => pidOf() !== '', { timeout: 10_000, interval: 100 })
  door.pid = pidOf()
  return door.pid
}

/** The dashboard's record of the host reached through the door (`related`: rows created with it, in one statement). */
export function sideDoorHost(
  door: SideDoor,
  name: string,
  related: Pick<Prisma.HostCreateInput, 'inventory'> = {},
): Promise<HostRow> {
  return db.host.create({
    data: {
      name,
      address: door.addrB,
      port: 22,
      username: 'root',
      pinnedFingerprint: labFingerprint(door.host.name),
      ...related,
    },
  })
}

/** A command in the door's sshd's namespaces and root: the host as the dashboard's sessions through the door see it. */
export function inSideDoor(sshdPid: string, script: string): string {
  return inHostA(`nsenter -t ${sshdPid} -m -n -u -r -w -- sh -c ${shellQuote(`${script} 2>&1 || true`)}`)
}

/**
 * Closes the door: stops its sshd (and with it the mount namespace a `launch` may have made), removes the veth pair
 * (the host's end goes with it), then the sshd's files as the host itself sees them: never through the sshd's own
 * view, where a test's bind mounts (of /usr/sbin, say) could sit under the directory.
 */
export function closeSideDoor(door: SideDoor): void {
  if (door.pid) inHostA(`kill ${door.pid} 2>/dev/null; true`)
  inHostA(`ip link del ${door.vethA} 2>/dev/null; true`)
  // (when the sshd never wrote its pid, the door failed to open: the pid file may still name it)
  const stopUnknown = door.pid ? '' : `kill $(cat ${door.dir}/sshd.pid 2>/dev/null) 2>/dev/null;`
  door.host.exec(`${stopUnknown} rm -rf ${door.dir}; true`)
}
