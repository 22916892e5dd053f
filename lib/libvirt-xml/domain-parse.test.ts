import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { ParseError } from '@/lib/core/errors'
import { parseDomainInterfaces, parseDomainSummary } from '@/lib/libvirt-xml/domain-parse'

describe('parseDomainInterfaces', () => {
  it('reads the live NIC of a running guest (recorded virsh dumpxml)', () => {
    expect(parseDomainInterfaces(readFixture('recorded', 'virsh-dumpxml.xml'))).toEqual([
      {
        type: 'network',
        source: { network: 'default', bridge: 'virbr0' },
        mac: '52:54:00:77:0a:01',
        model: 'virtio',
        target: 'vnet0',
        alias: 'net0',
      },
    ])
  })

  it('reads the configured NIC of the inactive XML (no target device, no alias)', () => {
    expect(parseDomainInterfaces(readFixture('recorded', 'virsh-dumpxml-inactive.xml'))).toEqual([
      { type: 'network', source: { network: 'default' }, mac: '52:54:00:77:0a:01', model: 'virtio' },
    ])
  })

  it('reads bridge, macvtap (direct) and hostdev interfaces', () => {
    const xml = `<domain type='kvm'><name>g</name><memory>1024</memory><devices>
      <interface type='bridge'><mac address='52:54:00:00:00:01'/><source bridge='br0'/><model type='e1000'/><link state='down'/></interface>
      <interface type='direct'><source dev='eth0' mode='vepa'/><target dev='macvtap0'/></interface>
      <interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x2'/></source></interface>
      <interface type='network'><source network='lab' portgroup='pg1'/><alias name='ua-nic1'/></interface>
    </devices></domain>`
    expect(parseDomainInterfaces(xml)).toEqual([
      { type: 'bridge', source: { bridge: 'br0' }, mac: '52:54:00:00:00:01', model: 'e1000', linkState: 'down' },
      { type: 'direct', source: { dev: 'eth0', mode: 'vepa' }, target: 'macvtap0' },
      { type: 'hostdev', source: { pciAddress: { domain: '0x0000', bus: '0x03', slot: '0x10', function: '0x2' } } },
      { type: 'network', source: { network: 'lab', portgroup: 'pg1' }, alias: 'ua-nic1' },
    ])
  })

  it('reads one entry per <interface>, whatever its type (domains/interfaces.xml)', () => {
    expect(parseDomainInterfaces(readFixture('domains', 'interfaces.xml'))).toEqual([
      {
        type: 'network',
        source: { network: 'vnfix-nat', portgroup: 'engineering' },
        mac: '52:54:00:5a:10:01',
        model: 'virtio',
        alias: 'ua-net-nat',
        linkState: 'up',
      },
      { type: 'bridge', source: { bridge: 'vnfixovs1' }, mac: '52:54:00:5a:10:02', model: 'e1000e' },
      { type: 'direct', source: { dev: 'vnfixeth4', mode: 'vepa' }, mac: '52:54:00:5a:10:03', model: 'virtio' },
      { type: 'direct', source: { dev: 'vnfixeth8', mode: 'passthrough' }, model: 'virtio', linkState: 'down' },
      {
        type: 'hostdev',
        source: { pciAddress: { domain: '0x0000', bus: '0x03', slot: '0x10', function: '0x1' } },
        mac: '52:54:00:5a:10:05',
      },
      { type: 'user', source: {}, mac: '52:54:00:5a:10:06', model: 'virtio' },
      { type: 'ethernet', source: {}, model: 'virtio', target: 'vnfixtap0' },
      // The vhost-user socket path, multicast/UDP/TCP endpoints are not modelled; the socket's
      // mode (client/server) lands in the same field as a macvtap mode.
      { type: 'vhostuser', source: { mode: 'client' }, mac: '52:54:00:5a:10:08', model: 'virtio' },
      { type: 'mcast', source: {} },
      { type: 'udp', source: {} },
      { type: 'server', source: {}, model: 'rtl8139' },
      { type: 'vdpa', source: { dev: '/dev/vhost-vdpa-0' } },
    ])
    expect(parseDomainSummary(readFixture('domains', 'interfaces.xml'))).toEqual({
      name: 'vnfix-guest',
      uuid: '6f0b8c1e-2b1d-4f6e-9a53-3c9d2f1e7a10',
      hypervisor: 'kvm',
      title: 'Every interface type',
      memoryKiB: 256 * 1024,
      currentMemoryKiB: 128 * 1024,
      vcpus: 2,
    })
  })

  it('returns no interfaces for a guest without devices, and refuses non-domain XML', () => {
    expect(parseDomainInterfaces('<domain><name>x</name></domain>')).toEqual([])
    expect(() => parseDomainInterfaces('<network/>')).toThrowError(ParseError)
  })
})

describe('parseDomainSummary', () => {
  it('reads name, uuid, id, memory and vCPUs (recorded virsh dumpxml)', () => {
    expect(parseDomainSummary(readFixture('recorded', 'virsh-dumpxml.xml'))).toEqual({
      name: 'vnlab-a1',
      uuid: '8ff952c9-0a82-433a-9e22-5db4356aaba1',
      id: 3,
      hypervisor: 'qemu',
      memoryKiB: 32768,
      currentMemoryKiB: 32768,
      vcpus: 1,
    })
  })

  it('converts memory units to KiB the way libvirt scales them', () => {
    const summary = (memory: string) =>
      parseDomainSummary(
        `<domain type='kvm'><name>g</name>${memory}<vcpu placement='static' current='1'>4</vcpu></domain>`,
      )
    expect(summary("<memory unit='GiB'>2</memory>").memoryKiB).toBe(2 * 1024 * 1024)
    expect(summary("<memory unit='MB'>1</memory>").memoryKiB).toBe(977) // 1e6 bytes, rounded up to KiB
    expect(summary('<memory>512</memory>')).toMatchObject({ memoryKiB: 512, vcpus: 4 })
    expect(() => summary("<memory unit='parsecs'>1</memory>")).toThrowError(
      "<memory unit='parsecs'> is not a known unit",
    )
    expect(() => parseDomainSummary('<domain><name>g</name></domain>')).toThrowError('<domain> has no <memory>')
  })
})
