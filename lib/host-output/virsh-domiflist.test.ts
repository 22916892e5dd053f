import { describe, expect, it } from 'vitest'
import { expectRecordedWithAndWithoutHeader, virshOutput } from '@/lib/test/virsh-output'
import { parseDomIfList } from '@/lib/host-output/virsh-domiflist'

describe('virsh domiflist', () => {
  const recorded = [
    { interface: 'vnet0', type: 'network', source: 'default', model: 'virtio', mac: '52:54:00:77:0a:01' },
  ]

  it('reads a shut-off guest ("-" interface) and other interface types', () => {
    const output = virshOutput(
      ' Interface   Type      Source    Model    MAC',
      '-------------------------------------------------------------',
      ' -           network   default   virtio   52:54:00:77:0a:01',
      ' macvtap0    direct    eth0      e1000    52:54:00:77:0a:02',
      ' -           hostdev   -         -        52:54:00:77:0a:03',
    )
    expect(parseDomIfList(output)).toEqual([
      { interface: null, type: 'network', source: 'default', model: 'virtio', mac: '52:54:00:77:0a:01' },
      { interface: 'macvtap0', type: 'direct', source: 'eth0', model: 'e1000', mac: '52:54:00:77:0a:02' },
      { interface: null, type: 'hostdev', source: null, model: null, mac: '52:54:00:77:0a:03' },
    ])
  })

  it('parses the recorded table, with and without header (-q)', () => {
    expectRecordedWithAndWithoutHeader(parseDomIfList, 'domiflist', recorded)
  })
})
