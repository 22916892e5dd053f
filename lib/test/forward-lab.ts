import 'server-only'
// Test/bench fixture on lab host B (or C): a NAT network of its own with a static DHCP mapping, a real libvirt guest on it
// (running, its NIC's link down so it never answers), and network namespaces that play that guest and an outside
// client with real packets. Everything carries the prefix so cleanup finds it even after a crash.
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { realpathSync } from 'node:fs'
import path from 'node:path'
import { inHostA, inHostB, inHostC } from '@/lib/test/lab'
import type { HostTarget } from '@/lib/ssh'
import type { HostRow } from '@/lib/hosts/store'
import { db } from '@/lib/db/client'
import { toTarget } from '@/lib/hosts/store'
import { installHook, removeForward } from '@/lib/forwards/changes'
import { readHookStatus } from '@/lib/forwards/read'
import { hookPaths } from '@/lib/forwards/hook-script'

const root = path.resolve(import.meta.dirname, '../..')
const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' })

export type LabForwardFixture = ReturnType<typeof describeFixture>

/** The lab hosts the fixture runs on: B (libvirt 9, iptables) and C (libvirt 11, nftables backend). */
export type ForwardLabHost = 'b' | 'c'

/** Runs a command on the fixture's host, bypassing the dashboard. */
export const onHost = (f: LabForwardFixture, script: string) => (f.host === 'c' ? inHostC(script) : inHostB(script))

/*
 * Names and addresses of a fixture. The dual-stack one (`ipv6`) has names of its own (prefix vnv6) and subnets of its
 * own, so it runs next to the IPv4 one on the same host; its network also has IPv6 with a DHCPv6 mapping of the guest
 * (by a DUID carrying its MAC), and every namespace an IPv6 address as well.
 */
export function describeFixture(tag: number, host: ForwardLabHost = 'b', options: { ipv6?: boolean } = {}) {
  const n = (tag % 200) + 20
  const ipv6 = options.ipv6 ?? false
  const names = ipv6
    ? { network: 'vnv6-fwd', bridge: 'vnv6b', guest: 'vnv6-guest', ns: 'vnv6', veth: 'vnv6', nets: [236, 237] }
    : { network: 'vnfwd', bridge: 'vnfw', guest: 'vnfwd-guest', ns: 'vnf', veth: 'vnf', nets: [234, 235] }
  const [guestNet, clientNet] = names.nets as [number, number]
  const guestMac = `52:54:00:${ipv6 ? 'f6' : 'fa'}:${(n % 256).toString(16).padStart(2, '0')}:01`
  return {
    host,
    /** the lab host's network namespace */
    hostNs: `vnlab-${host}`,
    labName: `lab-${host}` as const,
    network: `${names.network}${tag}`,
    bridge: `${names.bridge}${n}`,
    subnet: `10.${guestNet}.${n}.0/24`,
    gateway: `10.${guestNet}.${n}.1`,
    guestName: `${names.guest}${tag}`,
    guestUuid: randomUUID(),
    guestMac,
    guestIp: `10.${guestNet}.${n}.10`,
    guestNs: `${names.ns}g${tag}`,
    /** a second "guest" on the same network, for hairpin traffic: it reaches the first through the host's address */
    otherGuestNs: `${names.ns}h${tag}`,
    otherGuestIp: `10.${guestNet}.${n}.11`,
    vethOtherGuestB: `${names.veth}hb${n}`,
    /** the guest also answers on these three TCP ports, with the port in its reply: a port range forward's target */
    rangeStart: 40000 + (tag % 1000) * 3,
    clientNs: `${names.ns}c${tag}`,
    /** B's end of the client link: the address the client connects to */
    hostIp: `10.${clientNet}.${n}.1`,
    clientIp: `10.${clientNet}.${n}.2`,
    otherClientIp: `10.${clientNet}.${n}.3`,
    vethGuestB: `${names.veth}gb${n}`,
    vethClientB: `${names.veth}cb${n}`,
    /** the dual-stack fixture's IPv6 side: the network's subnet and gateway, the guests', the client link's */
    ipv6: ipv6
      ? {
          subnet: `fd76:${n}::/64`,
          gateway: `fd76:${n}::1`,
          /** the guest's DUID (DUID-LL of its MAC), its DHCPv6 mapping's key */
          guestDuid: `00:03:00:01:${guestMac}`,
          guestIp: `fd76:${n}::10`,
          otherGuestIp: `fd76:${n}::11`,
          hostIp: `fd77:${n}::1`,
          clientIp: `fd77:${n}::2`,
          otherClientIp: `fd77:${n}::3`,
        }
      : null,
  }
}

export function createLibvirtParts(f: LabForwardFixture) {
  const net24 = f.gateway.split('.').slice(0, 3).join('.')
  const v6 = f.ipv6
  const ipv6Xml = v6
    ? `<ip family='ipv6' address='${v6.gateway}' prefix='64'><dhcp><range start='${v6.subnet.replace('::/64', '::100')}' end='${v6.subnet.replace('::/64', '::1ff')}'/><host id='${v6.guestDuid}' ip='${v6.guestIp}'/></dhcp></ip>`
    : ''
  const netXml = `<network><name>${f.network}</name><forward mode='nat'/><bridge name='${f.bridge}' stp='off'/><ip address='${f.gateway}' prefix='24'><dhcp><range start='${net24}.100' end='${net24}.200'/><host mac='${f.guestMac}' ip='${f.guestIp}'/></dhcp></ip>${ipv6Xml}</network>`
  const domXml = `<domain type='qemu'><name>${f.guestName}</name><uuid>${f.guestUuid}</uuid><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices><interface type='network'><source network='${f.network}'/><mac address='${f.guestMac}'/><model type='e1000'/><rom enabled='no'/><link state='down'/></interface><graphics type='vnc' autoport='yes' listen='127.0.0.1'/></devices></domain>`
  onHost(
    f,
    `set -e
printf '%s' "${netXml.replaceAll('"', '\\"')}" > /tmp/${f.network}.xml && virsh -q net-define /tmp/${f.network}.xml >/dev/null && virsh -q net-start ${f.network} >/dev/null
printf '%s' "${domXml.replaceAll('"', '\\"')}" > /tmp/${f.guestName}.xml && virsh -q define /tmp/${f.guestName}.xml >/dev/null && virsh -q start ${f.guestName} >/dev/null
rm -f /tmp/${f.network}.xml /tmp/${f.guestName}.xml`,
  )
}

/** The "guest" namespace (echo servers on TCP 7000 and UDP 7001) on the network's bridge, and the client namespace. */
export function createNamespaces(f: LabForwardFixture) {
  sh(`set -e
ip netns add ${f.guestNs}; ip netns add ${f.clientNs}
ip -n ${f.guestNs} link add eth0 type veth peer name ${f.vethGuestB} netns ${f.hostNs}
ip -n ${f.guestNs} addr add ${f.guestIp}/24 dev eth0; ip -n ${f.guestNs} link set eth0 up; ip -n ${f.guestNs} link set lo up
ip -n ${f.guestNs} route add default via ${f.gateway}
ip netns add ${f.otherGuestNs}
ip -n ${f.otherGuestNs} link add eth0 type veth peer name ${f.vethOtherGuestB} netns ${f.hostNs}
ip -n ${f.otherGuestNs} addr add ${f.otherGuestIp}/24 dev eth0; ip -n ${f.otherGuestNs} link set eth0 up; ip -n ${f.otherGuestNs} link set lo up
ip -n ${f.otherGuestNs} route add default via ${f.gateway}
ip -n ${f.clientNs} link add eth0 type veth peer name ${f.vethClientB} netns ${f.hostNs}
ip -n ${f.clientNs} addr add ${f.clientIp}/24 dev eth0; ip -n ${f.clientNs} addr add ${f.otherClientIp}/24 dev eth0
ip -n ${f.clientNs} link set eth0 up; ip -n ${f.clientNs} link set lo up; ip -n ${f.clientNs} route add default via ${f.hostIp}
ip -n ${f.hostNs} addr add ${f.hostIp}/24 dev ${f.vethClientB}; ip -n ${f.hostNs} link set ${f.vethClientB} up`)
  // IPv6 addresses without duplicate address detection, so they are usable at once.
  const v6 = f.ipv6
  if (v6)
    sh(`set -e
ip -n ${f.guestNs} addr add ${v6.guestIp}/64 dev eth0 nodad; ip -n ${f.guestNs} -6 route add default via ${v6.gateway}
ip -n ${f.otherGuestNs} addr add ${v6.otherGuestIp}/64 dev eth0 nodad; ip -n ${f.otherGuestNs} -6 route add default via ${v6.gateway}
ip -n ${f.clientNs} addr add ${v6.clientIp}/64 dev eth0 nodad; ip -n ${f.clientNs} addr add ${v6.otherClientIp}/64 dev eth0 nodad
ip -n ${f.clientNs} -6 route add default via ${v6.hostIp}
ip -n ${f.hostNs} addr add ${v6.hostIp}/64 dev ${f.vethClientB} nodad`)
  plugGuest(f)
  // The dual-stack fixture's guest answers on both families (one IPv6 socket that also takes IPv4).
  const [family, any] = f.ipv6 ? ['socket.AF_INET6', '::'] : ['socket.AF_INET', '0.0.0.0']
  const server = `
import socket, threading
def sock(kind):
    s = socket.socket(${family}, kind); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if ${family} == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    return s
def tcp():
    s = sock(socket.SOCK_STREAM); s.bind(("${any}", 7000)); s.listen(16)
    while True:
        c, _ = s.accept(); c.sendall(b"tcp:" + c.recv(100)); c.close()
def udp():
    u = sock(socket.SOCK_DGRAM); u.bind(("${any}", 7001))
    while True:
        d, a = u.recvfrom(100); u.sendto(b"udp:" + d, a)
def ranged(port):
    s = sock(socket.SOCK_STREAM); s.bind(("${any}", port)); s.listen(16)
    while True:
        c, _ = s.accept(); c.sendall(b"range%d:" % port + c.recv(100)); c.close()
for port in range(${f.rangeStart}, ${f.rangeStart + 3}):
    threading.Thread(target=ranged, args=(port,), daemon=True).start()
threading.Thread(target=tcp, daemon=True).start(); udp()
`
  execFileSync('sh', [
    '-c',
    `ip netns exec ${f.guestNs} setsid /usr/bin/python3 -c '${server}' </dev/null >/dev/null 2>&1 &`,
  ])
  sh(
    `for i in $(seq 50); do ip netns exec ${f.guestNs} ss -Hltn 'sport = :7000' | grep -q 7000 && exit 0; sleep 0.1; done; exit 1`,
  )
}

/** (Re)attach the guest namespaces' cables to the network's bridge, e.g. after the network restarted. */
export function plugGuest(f: LabForwardFixture) {
  for (const veth of [f.vethGuestB, f.vethOtherGuestB])
    sh(`ip -n ${f.hostNs} link set ${veth} master ${f.bridge} && ip -n ${f.hostNs} link set ${veth} up
for i in $(seq 100); do ip -n ${f.hostNs} -d link show ${veth} | grep -q 'state forwarding' && exit 0; sleep 0.1; done; exit 1`)
  // A (re)started network's IPv6 gateway address is usable once its duplicate address detection is over.
  if (f.ipv6)
    sh(
      `for i in $(seq 100); do [ -z "$(ip -n ${f.hostNs} -6 addr show dev ${f.bridge} tentative)" ] && exit 0; sleep 0.1; done; exit 1`,
    )
}

/**
 * What the client gets back through host:port: '' when nothing answers (a timeout, or a refusal: a reset for TCP, an
 * ICMP port unreachable for UDP). Anything else (the namespace gone, an address it does not have) is an error, so a
 * broken fixture fails the test instead of passing a check that nothing answers.
 */
export function clientSays(
  f: LabForwardFixture,
  protocol: 'tcp' | 'udp',
  port: number,
  options: { from?: string; to?: string; inNamespace?: string } = {},
): string {
  const script = `
import socket, sys
p, host, port, src = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM if p == "tcp" else socket.SOCK_DGRAM)
s.settimeout(1.5); s.bind((src, 0))
try:
    if p == "tcp":
        s.connect((host, port)); s.sendall(b"hello"); print(s.recv(100).decode(), end="")
    else:
        s.sendto(b"hello", (host, port)); print(s.recv(100).decode(), end="")
except (socket.timeout, ConnectionRefusedError, ConnectionResetError):
    pass
`
  return execFileSync(
    'ip',
    [
      'netns',
      'exec',
      options.inNamespace ?? f.clientNs,
      '/usr/bin/python3',
      '-c',
      script,
      protocol,
      options.to ?? f.hostIp,
      String(port),
      options.from ?? f.clientIp,
    ],
    { encoding: 'utf8' },
  )
}

export function removeAll(f: LabForwardFixture) {
  const quiet = (script: string) => {
    try {
      execFileSync('sh', ['-c', script], { stdio: 'ignore' })
    } catch {
      /* already gone */
    }
  }
  quiet(`ip netns pids ${f.guestNs} | xargs -r kill; ip netns del ${f.guestNs}`)
  quiet(`ip netns del ${f.clientNs}`)
  quiet(`ip netns del ${f.otherGuestNs}`)
  quiet(`ip -n ${f.hostNs} link del ${f.vethGuestB}; ip -n ${f.hostNs} link del ${f.vethClientB}`)
  quiet(`ip -n ${f.hostNs} link del ${f.vethOtherGuestB}`)
  try {
    onHost(
      f,
      `virsh -q destroy ${f.guestName} >/dev/null 2>&1; virsh -q undefine ${f.guestName} >/dev/null 2>&1; virsh -q net-destroy ${f.network} >/dev/null 2>&1; virsh -q net-undefine ${f.network} >/dev/null 2>&1; true`,
    )
  } catch {
    /* the host is down */
  }
}

/**
 * Virtnet's hook installed and known to the fixture host's libvirtd, which finds hook scripts only when it starts:
 * restarted when the hook was missing or is newer than the running libvirtd.
 */
export async function withHook(f: LabForwardFixture, host: { row: HostRow; target: HostTarget }) {
  const status = await readHookStatus(host.target, f.host === 'c' ? 'nftables' : 'iptables')
  const libvirtdPidFile = path.join(root, `data/lab/${f.host}/libvirtd.pid`)
  const libvirtdStarted = Number(inHostA(`stat -c %Y /proc/$(cat ${libvirtdPidFile})`).trim())
  const hookWritten = Number(onHost(f, `stat -c %Y ${Object.values(hookPaths).join(' ')} | sort -n | tail -1`).trim())
  if (status.qemu === 'current' && status.network === 'current' && hookWritten < libvirtdStarted) return
  await installHook(host.row, host.target)
  restartLibvirtd(f)
}

/** Restarts the fixture host's libvirtd the way the lab starts it; guests keep running. */
export function restartLibvirtd(f: LabForwardFixture) {
  if (f.host === 'b') return restartLibvirtdB()
  // Host C: inside its namespaces and its root (nsenter -r -w), the pid file on the lab's path bound into it.
  // The real path: inside C's root only the lab's directory itself is bound (data/ may be a symlink).
  const c = realpathSync(path.join(root, 'data/lab/c'))
  sh(`set -e
pid=$(cat ${c}/libvirtd.pid); anchor=$(cat ${c}/virtlogd.pid)
kill "$pid"; for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
nsenter -t "$anchor" -m -n -u -r -w -- env LIBVIRT_LOG_OUTPUTS=3:file:/var/log/libvirt/libvirtd.log taskset -c 0 libvirtd -d -p ${c}/libvirtd.pid
for i in $(seq 300); do nsenter -t "$anchor" -m -n -u -r -w -- virsh -q uri >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1`)
}

/** Restarts host B's libvirtd the way the lab starts it (same namespaces, log and pid file); guests keep running. */
export function restartLibvirtdB() {
  const b = path.join(root, 'data/lab/b')
  sh(`set -e
pid=$(cat ${b}/libvirtd.pid); anchor=$(cat ${b}/virtlogd.pid)
kill "$pid"; for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
nsenter -t "$anchor" -m -n -u -- env LIBVIRT_LOG_OUTPUTS=3:file:/var/log/libvirt/libvirtd.log taskset -c 0 libvirtd -d -p ${b}/libvirtd.pid
for i in $(seq 300); do nsenter -t "$anchor" -m -n -u -- virsh -q uri >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1`)
}

/** Hairpin: what the second guest on the network gets back through the host's address:port. */
export function otherGuestSays(f: LabForwardFixture, protocol: 'tcp' | 'udp', port: number, hostAddress: string) {
  return clientSays(f, protocol, port, { inNamespace: f.otherGuestNs, from: f.otherGuestIp, to: hostAddress })
}

/**
 * Takes a suite's forwards (those with its description) off the lab host through Virtnet, and the DHCP mappings of
 * the fixture's network from the database: what a suite that adds forwards through the API or the CLI leaves.
 */
export async function removeSuiteForwards(f: LabForwardFixture, hostName: string, description: string) {
  const host = await db.host.findUnique({ where: { name: hostName } })
  if (!host) return
  for (const row of await db.portForward.findMany({ where: { hostId: host.id, description } }))
    await removeForward(host, toTarget(host), row.id).catch(() => undefined)
  await db.dhcpMapping.deleteMany({ where: { hostId: host.id, network: f.network } })
}
