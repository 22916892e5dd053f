import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measurePhases } from '@/lib/core/phases'
import { listNetworks } from '@/lib/libvirt/read-networks'
import { inHostB, registeredLabHost } from '@/lib/test/lab'

// A page's reads of networks and guests: ONE round trip to the host, however many networks and guests it has, and
// names that virsh's own tokenizer would take apart (a quote, a semicolon, spaces) still read right.

const odd = `vnperf-inv it's; ${process.pid}`
const networkXml = `<network><name>${odd.replace(/'/g, '&apos;')}</name><bridge name='vnpinv${process.pid % 10000}'/><forward mode='nat'/><ip address='10.231.7.1' netmask='255.255.255.0'/></network>`
let host: Awaited<ReturnType<typeof registeredLabHost>>

describe('the host inventory on lab host B', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-b')
    inHostB(
      `printf '%s' "$0" > /tmp/vnperf-inv.xml && virsh -q net-define /tmp/vnperf-inv.xml && rm -f /tmp/vnperf-inv.xml`.replace(
        '$0',
        networkXml.replace(/"/g, '\\"'),
      ),
    )
  })
  afterAll(() => {
    inHostB(`virsh -q net-undefine "${odd.replace(/"/g, '\\"')}" 2>&1 || true`)
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
    expect(networks.find((n) => n.name === 'default')?.guests).toContain('vnlab-b1')
    // The same names, in the same order, as virsh lists them itself.
    const listed = inHostB('virsh -q net-list --all --name')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    expect(networks.map((n) => n.name)).toEqual(listed)
  })
})
