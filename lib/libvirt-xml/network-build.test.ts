import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { buildBridgeNetworkXml, buildNatNetworkXml, NetworkBuildError } from '@/lib/libvirt-xml/network-build'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { withoutWhitespaceText } from '@/lib/xml/xml-normalize'
import type { XmlElement } from '@/lib/xml/xml-tree'

/** What libvirt adds on net-define (generated uuid and bridge MAC) is left out of the comparison. */
const withoutGenerated = (root: XmlElement): XmlElement =>
  withoutWhitespaceText({
    ...root,
    children: root.children.filter((c) => !(c.type === 'element' && (c.name === 'uuid' || c.name === 'mac'))),
  })

describe('buildNatNetworkXml', () => {
  it("produces libvirt's default-network shape: gateway = first host, DHCP over the rest", () => {
    expect(
      buildNatNetworkXml({
        name: 'lab',
        bridge: 'virbr9',
        ipv4Cidr: '10.1.2.0/24',
        uuid: '6F1C2B1E-0000-4000-8000-000000000001',
      }),
    ).toBe(
      `<network>
  <name>lab</name>
  <uuid>6f1c2b1e-0000-4000-8000-000000000001</uuid>
  <forward mode='nat'>
    <nat>
      <port start='1024' end='65535'/>
    </nat>
  </forward>
  <bridge name='virbr9' stp='on' delay='0'/>
  <ip address='10.1.2.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.1.2.2' end='10.1.2.254'/>
    </dhcp>
  </ip>
</network>
`,
    )
  })

  it('is kept unchanged by libvirt 9.0 apart from the uuid and MAC it generates (recorded net-define)', () => {
    const built = parseNetworkXml(
      buildNatNetworkXml({ name: 'vnfx-nat', bridge: 'vnfxbr9', ipv4Cidr: '10.213.7.0/24' }),
    )
    const defined = parseNetworkXml(readFixture('recorded', 'libvirt9-net-define-nat-build.xml'))
    expect(withoutGenerated(defined.doc.root)).toEqual(withoutGenerated(built.doc.root))
  })

  it('honours a custom DHCP range, or none', () => {
    const net = parseNetworkXml(
      buildNatNetworkXml({
        name: 'lab',
        bridge: 'br-lab',
        ipv4Cidr: '172.16.0.0/16',
        dhcpStart: '172.16.1.1',
        dhcpEnd: '172.16.1.200',
      }),
    )
    expect(net.ips[0]).toMatchObject({
      address: '172.16.0.1',
      prefix: 16,
      dhcp: { ranges: [{ start: '172.16.1.1', end: '172.16.1.200' }] },
    })
    expect(
      parseNetworkXml(buildNatNetworkXml({ name: 'lab', bridge: 'br-lab', ipv4Cidr: '10.9.0.0/30', dhcp: false }))
        .ips[0]?.dhcp,
    ).toBeUndefined()
  })

  const invalid: Array<[string, Parameters<typeof buildNatNetworkXml>[0], string]> = [
    ['host bits set', { name: 'n', bridge: 'b', ipv4Cidr: '10.1.2.5/24' }, 'did you mean 10.1.2.0/24?'],
    ['not a subnet', { name: 'n', bridge: 'b', ipv4Cidr: 'fd00::/64' }, 'is not an IPv4 subnet'],
    ['too small', { name: 'n', bridge: 'b', ipv4Cidr: '10.1.2.0/31' }, 'is too small'],
    [
      'range outside',
      { name: 'n', bridge: 'b', ipv4Cidr: '10.1.2.0/24', dhcpStart: '10.1.3.1' },
      'DHCP start 10.1.3.1 is not a usable address of 10.1.2.0/24',
    ],
    [
      'range on the gateway',
      { name: 'n', bridge: 'b', ipv4Cidr: '10.1.2.0/24', dhcpStart: '10.1.2.1' },
      'is the gateway address',
    ],
    [
      'reversed range',
      { name: 'n', bridge: 'b', ipv4Cidr: '10.1.2.0/24', dhcpStart: '10.1.2.50', dhcpEnd: '10.1.2.40' },
      'comes after DHCP end',
    ],
    ['bad name', { name: 'a/b', bridge: 'b', ipv4Cidr: '10.1.2.0/24' }, 'network name "a/b"'],
    [
      'long bridge name',
      { name: 'n', bridge: 'a-very-long-bridge', ipv4Cidr: '10.1.2.0/24' },
      'bridge name "a-very-long-bridge"',
    ],
    ['bad uuid', { name: 'n', bridge: 'b', ipv4Cidr: '10.1.2.0/24', uuid: 'x' }, '"x" is not a UUID'],
  ]
  for (const [what, input, message] of invalid) {
    it(`refuses ${what}`, () => {
      expect(() => buildNatNetworkXml(input)).toThrowError(NetworkBuildError)
      expect(() => buildNatNetworkXml(input)).toThrowError(message)
    })
  }
})

describe('buildBridgeNetworkXml', () => {
  it('hands guests to an existing host bridge, as libvirt 9.0 accepts it (recorded net-define)', () => {
    const xml = buildBridgeNetworkXml({ name: 'vnfx-br', bridge: 'vnfxbr8' })
    expect(xml).toBe(
      "<network>\n  <name>vnfx-br</name>\n  <forward mode='bridge'/>\n  <bridge name='vnfxbr8'/>\n</network>\n",
    )
    const defined = parseNetworkXml(readFixture('recorded', 'libvirt9-net-define-bridge-build.xml'))
    expect(withoutGenerated(defined.doc.root)).toEqual(withoutGenerated(parseNetworkXml(xml).doc.root))
  })
})
