import 'server-only'
import { run, sh, testConnection, SshError, type HostTarget } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'
import { parseVirshVersion, versionAtLeast } from '@/lib/host-output/virsh-version'
import { parseIpForward } from '@/lib/host-output/sysctl'
import { parseSsListeners, wildcardListeners } from '@/lib/host-output/ss-listeners'
import { parseIptablesVersion } from '@/lib/host-output/iptables-version'
import type { HostHealth } from '@/lib/hosts/health-types'

export type { HostHealth }

const quiet = { allowFailure: true, timeoutMs: 15_000 }

/** What an operator checks first on a libvirt host; never throws: an unreachable host is a health state. */
export async function checkHealth(host: HostTarget): Promise<HostHealth> {
  const checkedAt = new Date().toISOString()
  let latencyMs: number
  try {
    // On a connection of its own (a fresh handshake and login), leaving the shared session's work alone.
    await testConnection(host)
    // The round trip shown is the kept session's, what every page's command pays; a fresh connection's exec channel
    // (tens of milliseconds to open a shell) would say more about ssh's set-up than about the host.
    const t0 = performance.now()
    await run(host, sh`true`, quiet)
    latencyMs = Math.round((performance.now() - t0) * 1000) / 1000
  } catch (error) {
    return {
      checkedAt,
      reachable: false,
      error: error instanceof SshError ? error.message : String(error),
      warnings: [],
    }
  }
  // The session runs these side by side on its shell channels; each is a sub-millisecond round trip.
  const [hostname, version, forward, dns, iptables, firewallConf, setAside, firewallProbe] = await Promise.all([
    run(host, sh`hostname`, quiet),
    run(host, virsh('version'), quiet),
    run(host, sh`sysctl -n net.ipv4.ip_forward`, quiet),
    run(host, sh`ss -Hlntup ${'sport = :53'}`, quiet),
    run(host, sh`iptables --version`, quiet),
    run(host, sh`grep -E ${'^[[:space:]]*firewall_backend'} /etc/libvirt/network.conf`, quiet),
    run(host, sh`ls -A /run/libvirt/network`, quiet),
    // The capability itself: whose rules libvirt's running networks have, and whether firewalld runs.
    run(host, sh`sh -s`, { ...quiet, stdin: firewallProbeScript }),
  ])
  const warnings: string[] = []
  const health: HostHealth = { checkedAt, reachable: true, latencyMs, hostname: hostname.stdout.trim(), warnings }

  if (version.exitCode === 0) {
    const parsed = parseVirshVersion(version.stdout)
    health.libvirtVersion = parsed.library.text
    // libvirt 10.4 added the nftables backend and prefers it; earlier versions only know iptables.
    const configured = /nftables/.test(firewallConf.stdout)
      ? 'nftables'
      : /iptables/.test(firewallConf.stdout)
        ? 'iptables'
        : null
    // What libvirt built wins (its table or its chains exist once a network runs); then its configuration, then its
    // default (libvirt >= 10.4 prefers nftables).
    const probed = firewallProbe.stdout.includes('libvirt-nft-table')
      ? 'nftables'
      : firewallProbe.stdout.includes('libvirt-ipt-chains')
        ? 'iptables'
        : null
    health.libvirtFirewall = probed ?? (versionAtLeast(parsed.library, 10, 4) ? (configured ?? 'nftables') : 'iptables')
  } else {
    warnings.push('libvirt is not reachable with virsh.')
  }
  if (forward.exitCode === 0) {
    health.ipForward = parseIpForward(forward.stdout)
    if (!health.ipForward) warnings.push('IPv4 forwarding is off (libvirt turns it on when a NAT network starts).')
  }
  if (dns.exitCode === 0) {
    const holders = wildcardListeners(parseSsListeners(dns.stdout), 53)
    const names = [...new Set(holders.flatMap((socket) => socket.processes.map((p) => p.name)))]
    health.dnsConflict = holders.length ? `held on all addresses by ${names.join(', ') || 'an unknown process'}` : null
    if (holders.length)
      warnings.push(`Port 53 is ${health.dnsConflict}; libvirt's dnsmasq cannot serve DNS for new networks.`)
  }
  // Left by a DHCP bulk apply that was killed mid-reload (lib/dhcp/live-status.ts); libvirtd would not see these
  // networks as running after its next restart.
  const held = setAside.stdout
    .split('\n')
    .filter((f) => f.endsWith('.virtnet-held'))
    .map((f) => f.slice(0, -'.virtnet-held'.length))
  if (held.length)
    warnings.push(
      `libvirt's status file of ${held.join(', ')} was set aside by an interrupted DHCP bulk apply; the next bulk apply puts it back, or on the host: cd /run/libvirt/network && for f in *.virtnet-held; do ln "$f" "\${f%.virtnet-held}.xml"; rm "$f"; done`,
    )
  health.firewalld = /firewalld-running/.test(firewallProbe.stdout)
    ? 'running'
    : /firewalld-installed/.test(firewallProbe.stdout)
      ? 'stopped'
      : 'absent'
  if (health.firewalld === 'running') warnings.push(firewalldAdvice)
  health.iptablesBackend = iptables.exitCode === 0 ? parseIptablesVersion(iptables.stdout).backend : 'unknown'
  return health
}

// One round trip; each line names a fact the host has.
const firewallProbeScript = `nft list table ip libvirt_network >/dev/null 2>&1 && echo libvirt-nft-table
iptables -w 5 -S LIBVIRT_FWI >/dev/null 2>&1 && echo libvirt-ipt-chains
if command -v firewall-cmd >/dev/null 2>&1; then
  if [ "$(firewall-cmd --state 2>/dev/null)" = running ]; then echo firewalld-running; else echo firewalld-installed; fi
fi
true`

/** What Virtnet does where firewalld runs, and what the operator allows there (the lab cannot run firewalld). */
export const firewalldAdvice =
  "firewalld is running. libvirt puts its bridges into firewalld's 'libvirt' zone; Virtnet's port forwards stay in their own rules (nftables table ip virtnet and chain virtnet_accept, or the VIRTNET_* iptables chains), which firewalld neither manages nor removes. firewalld's own rules filter forwarded traffic too: allow the forwarded connections from the zone they arrive in to the 'libvirt' zone, e.g. firewall-cmd --permanent --new-policy virtnet-forwards && firewall-cmd --permanent --policy virtnet-forwards --add-ingress-zone public --add-egress-zone libvirt --set-target ACCEPT && firewall-cmd --reload. On firewalld's iptables backend a reload drops Virtnet's chains: press Reconcile on the forwards page after it."
