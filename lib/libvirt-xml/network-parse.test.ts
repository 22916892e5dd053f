import { describe, expect, it } from 'vitest'
import { corpusFiles, readCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
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

  it('derives the prefix from netmask, or from the libvirt default when neither is given', () => {
    const net = parseNetworkXml(readCorpus('out', 'nat-network.xml'))
    expect(net.ips.map((ip) => [ip.address, ip.prefix])).toEqual([
      ['192.168.122.1', 24],
      ['192.168.123.1', 24],
      ['2001:db8:ac10:fe01::1', 64],
      ['2001:db8:ac10:fd01::1', 64],
      ['10.24.10.1', 8], // no netmask: classful (class A)
    ])
  })

  it('reads hostdev pools (PCI addresses, pf, managed, driver)', () => {
    expect(parseNetworkXml(readCorpus('in', 'hostdev.xml')).forward).toMatchObject({
      mode: 'hostdev',
      managed: true,
      addresses: [{ domain: '0x0000', bus: '0x03', slot: '0x00', function: '0x1' }, {}, {}, {}],
    })
    expect(parseNetworkXml(readCorpus('out', 'hostdev-pf.xml')).forward).toMatchObject({
      mode: 'hostdev',
      driver: 'vfio',
      pf: ['eth2'],
    })
  })

  it('treats <forward/> without mode as nat, as libvirt does', () => {
    expect(parseNetworkXml(readCorpus('in', 'netboot-network.xml')).forward?.mode).toBe('nat')
  })

  it('reads every network file of the conformance corpus', () => {
    for (const folder of ['in', 'out', 'update-out'] as const) {
      for (const file of corpusFiles(folder)) {
        const net = parseNetworkXml(readCorpus(folder, file))
        expect(net.name, `${folder}/${file}`).not.toBe('')
        // The view keeps the tree it came from; rendering it is lossless.
        expect(parseNetworkXml(renderNetworkXml(net.doc)).doc).toEqual(net.doc)
      }
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
