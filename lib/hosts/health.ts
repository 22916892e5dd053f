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
  const [hostname, version, forward, dns, iptables, firewallConf, setAside] = await Promise.all([
    run(host, sh`hostname`, quiet),
    run(host, virsh('version'), quiet),
    run(host, sh`sysctl -n net.ipv4.ip_forward`, quiet),
    run(host, sh`ss -Hlntup ${'sport = :53'}`, quiet),
    run(host, sh`iptables --version`, quiet),
    run(host, sh`grep -E ${'^[[:space:]]*firewall_backend'} /etc/libvirt/network.conf`, quiet),
    run(host, sh`ls -A /run/libvirt/network`, quiet),
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
    health.libvirtFirewall = versionAtLeast(parsed.library, 10, 4) ? (configured ?? 'nftables') : 'iptables'
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
  health.iptablesBackend = iptables.exitCode === 0 ? parseIptablesVersion(iptables.stdout).backend : 'unknown'
  return health
}
