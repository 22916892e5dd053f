import { describe, expect, it } from 'vitest'
import { checkHealth } from '@/lib/hosts/health'
import { inHostC, registeredLabHost } from '@/lib/test/lab'
import { recordCommands } from '@/lib/ssh'

describe('host health over real SSH', () => {
  it.each([
    ['lab-a', '9.0.0', 'iptables'],
    ['lab-b', '9.0.0', 'iptables'],
    // Host C: Debian 13's libvirt on its nftables backend, found from the ip libvirt_network table it built.
    ['lab-c', '11.3.0', 'nftables'],
  ] as const)(
    'reports %s reachable with libvirt %s, forwarding, DNS and firewall facts (libvirt firewall: %s)',
    async (name, libvirtVersion, libvirtFirewall) => {
      const { target } = await registeredLabHost(name)
      const health = await checkHealth(target)
      expect(health).toMatchObject({
        reachable: true,
        libvirtVersion,
        libvirtFirewall,
        dnsConflict: null,
        firewalld: 'absent',
      })
      expect(health.iptablesBackend).toMatch(/nf_tables|legacy/)
      expect(typeof health.ipForward).toBe('boolean')
      // How long the check and its round trip take is a bench figure (npm run bench -- health), not a threshold here.
      expect(health.latencyMs).toBeGreaterThan(0)
    },
  )

  it("says which backend libvirt's running networks use, even when network.conf was changed after libvirtd started", async () => {
    const { target } = await registeredLabHost('lab-c')
    // An operator switched the configuration but has not restarted libvirtd: its nftables table is what filters.
    inHostC(
      'cp /etc/libvirt/network.conf /etc/libvirt/network.conf.vnnft && echo \'firewall_backend = "iptables"\' > /etc/libvirt/network.conf',
    )
    try {
      expect((await checkHealth(target)).libvirtFirewall).toBe('nftables')
    } finally {
      inHostC('mv /etc/libvirt/network.conf.vnnft /etc/libvirt/network.conf')
    }
  })

  it('tests on a fresh connection, and shows the round trip of the kept session every page uses', async () => {
    const { target } = await registeredLabHost('lab-b')
    const { result: health, commands } = await recordCommands(() => checkHealth(target))
    // One `true` on the connection check's own connection, one through the kept session: the latter is the figure.
    const probes = commands.filter((record) => record.command === 'true')
    expect(probes).toHaveLength(2)
    expect(health.latencyMs).toBeGreaterThanOrEqual(probes[1]!.durationMs)
  })

  it('reports a wrong pinned key as unreachable with the reason, instead of throwing', async () => {
    const { target } = await registeredLabHost('lab-a')
    const health = await checkHealth({ ...target, id: 'wrong-key', pinnedFingerprint: `SHA256:${'A'.repeat(43)}` })
    expect(health.reachable).toBe(false)
    expect(health.error).toMatch(/host key .* has changed/)
  })
})
