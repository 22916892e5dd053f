import { describe, expect, it } from 'vitest'
import { networkFixtures, readFixture } from '@/lib/test/fixtures/read-fixture'
import { NetworkXmlError, parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { renderNetworkXml } from '@/lib/libvirt-xml/network-render'

describe('parseNetworkXml', () => {
  it('reads the live default network recorded from libvirt 9.0', () => {
    const net = parseNetworkXml(readFixture('recorded', 'virsh-net-dumpxml.xml'))
    expect(net).toMatchObject({
      name: 'default',
      connections: 2,
      forward: { mode: 'nat', nat: { portStart: 1024, portEnd: 65535 }, interfaces: [], pf: [], addresses: [] },
      bridge: { name: 'virbr0', stp: true, delay: 0 },
      mac: '52:54:00:43:f6:cd',
      ips: [
        {
          index: 0,
          family: 'ipv4',
          address: '192.168.122.1',
          netmask: '255.255.255.0',
          prefix: 24,
          dhcp: { ranges: [{ start: '192.168.122.2', end: '192.168.122.254' }], hosts: [] },
        },
      ],
      routes: [],
      portgroups: [],
    })
    expect(net.uuid).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('reads DHCP hosts, leases, TFTP/BOOTP, DNS records, routes and portgroups', () => {
    const net = parseNetworkXml(readFixture('recorded', 'libvirt9-net-define-rich.xml'))
    expect(net.forward).toEqual({ mode: 'route', dev: 'eth0', pf: [], interfaces: ['eth0'], addresses: [] })
    expect(net.domain).toEqual({ name: 'lab.example', localOnly: true })
    expect(net.dns).toEqual({
      forwardPlainNames: false,
      forwarders: [{ addr: '8.8.8.8' }],
      txt: [{ name: 't', value: 'v' }],
      hosts: [{ ip: '192.168.83.5', hostnames: ['h1', 'h1b'] }],
      srv: [{ service: 'ldap', protocol: 'tcp', target: 'h1', port: 389 }],
    })
    expect(net.ips[0]).toEqual({
      index: 0,
      family: 'ipv4',
      address: '192.168.83.1',
      prefix: 24,
      tftp: { root: '/srv/tftp' },
      bootp: { file: 'pxelinux.0' },
      dhcp: {
        ranges: [{ start: '192.168.83.100', end: '192.168.83.150', lease: { expiry: 0, unit: 'minutes' } }],
        hosts: [{ mac: '52:54:00:00:83:10', ip: '192.168.83.10', lease: { expiry: 2, unit: 'hours' } }],
      },
    })
    expect(net.ips[1]?.dhcp?.hosts).toEqual([{ id: '0:3:0:1:52:54:0:0:83:11', name: 'v6host', ip: 'fd00:83::11' }])
    expect(net.routes).toEqual([{ family: 'ipv4', address: '10.99.0.0', prefix: 16, gateway: '192.168.83.254' }])
    expect(net.portgroups).toEqual([{ name: 'pg1', isDefault: true }])
  })

  it('reads every element and attribute of a full NAT network (recorded libvirt9-nat-full.xml)', () => {
    const net = parseNetworkXml(readFixture('recorded', 'libvirt9-nat-full.xml'))
    expect(net.forward).toEqual({
      mode: 'nat',
      dev: 'eth0',
      nat: { addressStart: '198.51.100.10', addressEnd: '198.51.100.20', portStart: 20000, portEnd: 30000 },
      pf: [],
      interfaces: ['eth0'],
      addresses: [],
    })
    expect(net.bridge).toEqual({ name: 'vnfix1', stp: true, delay: 2, macTableManager: 'libvirt', zone: 'trusted' })
    expect(net).toMatchObject({ mtu: 9000, mac: '52:54:00:5a:00:01', domain: { name: 'fix.example', localOnly: true } })
    expect(net.dns).toEqual({
      enabled: true,
      forwardPlainNames: false,
      forwarders: [
        { addr: '198.51.100.53' },
        { domain: 'corp.example', addr: '198.51.100.54' },
        { domain: 'local.example' },
      ],
      txt: [{ name: 'example', value: 'example value' }],
      srv: [
        {
          service: 'ldap',
          protocol: 'tcp',
          domain: 'fix.example',
          target: 'dir.fix.example',
          port: 389,
          priority: 10,
          weight: 20,
        },
      ],
      hosts: [
        { ip: '203.0.113.5', hostnames: ['alpha', 'alpha.fix.example'] },
        { ip: '2001:db8:a1::5', hostnames: ['alpha6'] },
      ],
    })
    expect(net.ips[0]).toEqual({
      index: 0,
      family: 'ipv4',
      address: '203.0.113.1',
      netmask: '255.255.255.0',
      prefix: 24,
      localPtr: true,
      tftp: { root: '/srv/tftp' },
      bootp: { file: 'pxelinux.0', server: '203.0.113.2' },
      dhcp: {
        ranges: [
          { start: '203.0.113.100', end: '203.0.113.149', lease: { expiry: 1, unit: 'hours' } },
          { start: '203.0.113.150', end: '203.0.113.199' },
        ],
        hosts: [
          { mac: '52:54:00:5a:00:10', name: 'one', ip: '203.0.113.10' },
          { mac: '52:54:00:5a:00:11', ip: '203.0.113.11', lease: { expiry: 0, unit: 'minutes' } },
          { name: 'three', ip: '203.0.113.13', lease: { expiry: 600, unit: 'seconds' } },
        ],
      },
    })
    expect(net.ips[2]).toMatchObject({
      index: 2,
      family: 'ipv6',
      dhcp: { ranges: [{ start: '2001:db8:a1::100', end: '2001:db8:a1::1ff' }], hosts: [] },
    })
    expect(net.routes).toEqual([
      { family: 'ipv4', address: '100.64.0.0', prefix: 10, gateway: '203.0.113.254', metric: 2 },
      { family: 'ipv6', address: '2001:db8:b0::', prefix: 48, gateway: '2001:db8:a1::fe' },
    ])
  })

  it('derives the prefix from prefix=, netmask=, or the default libvirt applies when neither is given', () => {
    const net = parseNetworkXml(readFixture('recorded', 'libvirt9-nat-full.xml'))
    expect(net.ips.map((ip) => [ip.address, ip.prefix])).toEqual([
      ['203.0.113.1', 24], // netmask
      ['198.51.100.1', 25], // prefix
      ['2001:db8:a1::1', 64],
      ['2001:db8:a2::1', 64], // IPv6 without prefix: 64
      ['172.30.0.1', 16], // IPv4 without either: classful (class B)
    ])
    const classful = (address: string) =>
      parseNetworkXml(`<network><name>x</name><ip address='${address}'/></network>`).ips[0]?.prefix
    expect([classful('10.1.2.3'), classful('172.16.0.1'), classful('198.51.100.1')]).toEqual([8, 16, 24])
    expect(() => classful('224.0.0.1')).toThrowError('needs a netmask or prefix')
  })

  it('reads DHCPv4/v6 hosts without ranges and IPv6 routes (recorded libvirt9-route-dhcp6.xml)', () => {
    const net = parseNetworkXml(readFixture('recorded', 'libvirt9-route-dhcp6.xml'))
    expect(net.forward).toMatchObject({ mode: 'route', dev: 'vnfixup0', interfaces: ['vnfixup0'] })
    expect(net.bridge).toEqual({ name: 'vnfix2', stp: false, delay: 0 })
    expect(net.ips.map((ip) => ip.dhcp)).toEqual([
      {
        ranges: [],
        hosts: [
          { mac: '52:54:00:5a:02:10', name: 'r1', ip: '198.18.114.10' },
          { mac: '52:54:00:5a:02:11', ip: '198.18.114.11' },
        ],
      },
      {
        ranges: [],
        hosts: [
          { id: '0:1:0:1:18:aa:62:fe:0:16:3e:44:55:66', ip: '2001:db8:a3::10' },
          { name: 'r6', ip: '2001:db8:a3::11' },
        ],
      },
    ])
    expect(net.routes[1]).toEqual({
      family: 'ipv6',
      address: '2001:db8:b1::',
      prefix: 64,
      gateway: '2001:db8:a3::2',
      metric: 5,
    })
  })

  it('reads hostdev pools (PCI addresses with their defaults, pf, managed, driver)', () => {
    expect(parseNetworkXml(readFixture('networks', 'hostdev-pci-pool.xml')).forward).toEqual({
      mode: 'hostdev',
      managed: true,
      driver: 'vfio',
      pf: [],
      interfaces: [],
      addresses: [
        { domain: '0x0000', bus: '0x03', slot: '0x10', function: '0x1' },
        { domain: '0x0000', bus: '0x03', slot: '0x10', function: '0x3' },
        { domain: '0x0000', bus: '0x04', slot: '0x02', function: '0x0' },
      ],
    })
    expect(parseNetworkXml(readFixture('recorded', 'libvirt9-hostdev-pf.xml')).forward).toEqual({
      mode: 'hostdev',
      managed: true,
      driver: 'vfio',
      pf: ['vnfixpf0'],
      interfaces: [],
      addresses: [],
    })
  })

  it('reads interface pools of the macvtap modes, virtualport types and portgroups', () => {
    const pool = parseNetworkXml(readFixture('recorded', 'libvirt9-macvtap-pool.xml'))
    expect(pool.forward).toMatchObject({
      mode: 'bridge',
      dev: 'vnfixeth1',
      interfaces: ['vnfixeth1', 'vnfixeth2', 'vnfixeth3'],
    })
    expect(pool.bridge).toBeUndefined()
    const vepa = parseNetworkXml(readFixture('recorded', 'libvirt9-vepa-qbg.xml'))
    expect(vepa).toMatchObject({
      trustGuestRxFilters: true,
      virtualportType: '802.1Qbg',
      forward: { mode: 'vepa', interfaces: ['vnfixeth4', 'vnfixeth5'] },
    })
    expect(vepa.portgroups).toEqual([{ name: 'ops', isDefault: true, trustGuestRxFilters: false }])
    const qbh = parseNetworkXml(readFixture('recorded', 'libvirt9-private-qbh.xml'))
    expect(qbh).toMatchObject({
      virtualportType: '802.1Qbh',
      forward: { mode: 'private' },
      portgroups: [{ name: 'lab', isDefault: false }],
    })
    expect(parseNetworkXml(readFixture('recorded', 'libvirt9-passthrough.xml')).forward).toMatchObject({
      mode: 'passthrough',
      interfaces: ['vnfixeth8'],
    })
    const ovs = parseNetworkXml(readFixture('recorded', 'libvirt9-ovs-portgroup-vlan.xml'))
    expect(ovs).toMatchObject({
      virtualportType: 'openvswitch',
      forward: { mode: 'bridge', interfaces: [] },
      bridge: { name: 'vnfixovs2' },
    })
    expect(ovs.portgroups).toEqual([{ name: 'trunk', isDefault: true }])
    const bandwidth = parseNetworkXml(readFixture('recorded', 'libvirt9-bandwidth.xml'))
    expect(bandwidth.portgroups).toEqual([
      { name: 'engineering', isDefault: true },
      { name: 'sales', isDefault: false },
    ])
  })

  it('reads isolated, open and IPv6-only-guest networks', () => {
    expect(parseNetworkXml(readFixture('recorded', 'libvirt9-isolated-ports.xml'))).toMatchObject({
      ipv6: true,
      isolatedPorts: true,
      ips: [
        {
          dhcp: { ranges: [{ start: '198.18.115.2', end: '198.18.115.254', lease: { expiry: 45, unit: 'minutes' } }] },
        },
      ],
    })
    expect(parseNetworkXml(readFixture('recorded', 'libvirt9-isolated-ports.xml')).forward).toBeUndefined()
    expect(parseNetworkXml(readFixture('recorded', 'libvirt9-open.xml')).forward).toEqual({
      mode: 'open',
      pf: [],
      interfaces: [],
      addresses: [],
    })
    const empty = parseNetworkXml(readFixture('recorded', 'libvirt9-empty-ipv6.xml'))
    expect(empty).toMatchObject({ ipv6: true, ips: [], routes: [], portgroups: [], mac: '52:54:00:5a:00:04' })
    expect(empty.forward).toBeUndefined()
  })

  it("treats <forward/> without mode as nat, as libvirt does (it writes mode='nat' back)", () => {
    expect(parseNetworkXml(readFixture('recorded', 'libvirt9-metadata-ns.input.xml')).forward?.mode).toBe('nat')
    expect(readFixture('recorded', 'libvirt9-metadata-ns.xml')).toContain("<forward mode='nat'/>")
  })

  it('reads title and description (text and CDATA) and ignores what it does not model', () => {
    const net = parseNetworkXml(readFixture('networks', 'odd-formatting.xml'))
    expect(net).toMatchObject({
      name: 'vnfix-odd',
      title: 'Odd & "formatted"',
      description: 'Free text <kept> as CDATA and plain text',
      ipv6: false,
      forward: { mode: 'route', dev: 'vnfixup2', interfaces: [] },
      bridge: { name: 'vnfixodd0', stp: false, delay: 0 },
      dns: { txt: [{ name: 't', value: 'spaces   kept' }] },
      ips: [
        {
          address: '198.18.121.1',
          prefix: 24,
          dhcp: { ranges: [{ start: '198.18.121.10', end: '198.18.121.20' }], hosts: [] },
        },
      ],
    })
  })

  it('reads every network fixture of the project', () => {
    for (const { file, xml } of networkFixtures()) {
      const net = parseNetworkXml(xml)
      expect(net.name, file).toMatch(/^(vnfi?x-.+|default)$/)
      // The view keeps the tree it came from; rendering it is lossless.
      expect(parseNetworkXml(renderNetworkXml(net.doc)).doc, file).toEqual(net.doc)
    }
  })

  it('rejects documents that are not networks, in plain words', () => {
    expect(() => parseNetworkXml('<domain/>')).toThrowError(NetworkXmlError)
    expect(() => parseNetworkXml('<domain/>')).toThrowError('root element is <domain>, expected <network>')
    expect(() => parseNetworkXml('<network/>')).toThrowError('<network> has no <name>')
    expect(() => parseNetworkXml("<network><name>x</name><ip address='nope'/></network>")).toThrowError(
      "<ip address='nope'> is not a valid ipv4 address",
    )
    expect(() => parseNetworkXml("<network><name>x</name><bridge stp='maybe'/></network>")).toThrowError(
      "<bridge stp='maybe'> should be on or off",
    )
    expect(() => parseNetworkXml('<network><name>x</name>')).toThrowError(/not closed/)
  })
})
