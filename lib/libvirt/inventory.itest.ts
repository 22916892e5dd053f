import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measurePhases } from '@/lib/core/phases'
import { listNetworks } from '@/lib/libvirt/read-networks'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'

// A page's reads of networks and guests: ONE round trip to the host, however many networks and guests it has, and
// names that virsh's own tokenizer would take apart (a quote, a semicolon, spaces) still read right.

describe.each(libvirtLabHosts)('the host inventory on $name (libvirt $libvirt)', (lab) => {
  const inHost = lab.exec
  const odd = `vnperf-inv it's; ${lab.name.slice(-1)}${process.pid}`
  const networkXml = `<network><name>${odd.replace(/'/g, '&apos;')}</name><bridge name='vnpinv${process.pid % 10000}'/><forward mode='nat'/><ip address='10.231.7.1' netmask='255.255.255.0'/></network>`
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  describe('one round trip', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      inHost(
        `printf '%s' "$0" > /tmp/vnperf-inv.xml && virsh -q net-define /tmp/vnperf-inv.xml && rm -f /tmp/vnperf-inv.xml`.replace(
          '$0',
          networkXml.replace(/"/g, '\\"'),
        ),
      )
    })
    afterAll(() => {
      inHost(`virsh -q net-undefine "${odd.replace(/"/g, '\\"')}" 2>&1 || true`)
    })

    it('lists every network with its definition and guests in one round trip, an odd name included', async () => {
      const { value: networks, phases } = await measurePhases(() => listNetworks(host.target))
      expect([...phases.keys()]).toEqual(['ssh_virsh_inventory'])
      expect(phases.get('ssh_virsh_inventory')?.count).toBe(1)
      expect(networks.find((n) => n.name === odd)).toMatchObject({
        active: false,
        persistent: true,
        forwardMode: 'nat',
        bridge: `vnpinv${process.pid % 10000}`,
        ipv4: { gateway: '10.231.7.1', subnet: '10.231.7.0/24' },
      })
      expect(networks.find((n) => n.name === 'default')?.guests).toContain(lab.guest)
      // The same names, in the same order, as virsh lists them itself.
      const listed = inHost('virsh -q net-list --all --name')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
      expect(networks.map((n) => n.name)).toEqual(listed)
    })
  })
})
