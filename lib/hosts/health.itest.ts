import { describe, expect, it } from 'vitest'
import { checkHealth } from '@/lib/hosts/health'
import { registeredLabHost } from '@/lib/test/lab'

describe('host health over real SSH', () => {
  it.each(['lab-a', 'lab-b'] as const)(
    'reports %s reachable with libvirt, forwarding, DNS and firewall facts',
    async (name) => {
      const { target } = await registeredLabHost(name)
      const health = await checkHealth(target)
      expect(health).toMatchObject({
        reachable: true,
        libvirtVersion: '9.0.0',
        libvirtFirewall: 'iptables',
        dnsConflict: null,
      })
      expect(health.iptablesBackend).toMatch(/nf_tables|legacy/)
      expect(typeof health.ipForward).toBe('boolean')
      expect(health.latencyMs).toBeLessThan(1000)
    },
  )

  it('reports a wrong pinned key as unreachable with the reason, instead of throwing', async () => {
    const { target } = await registeredLabHost('lab-a')
    const health = await checkHealth({ ...target, id: 'wrong-key', pinnedFingerprint: `SHA256:${'A'.repeat(43)}` })
    expect(health.reachable).toBe(false)
    expect(health.error).toMatch(/host key .* has changed/)
  })
})
