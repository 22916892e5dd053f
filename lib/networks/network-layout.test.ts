import { describe, expect, it } from 'vitest'
import { parseIpWithPrefix, subnetOf } from '@/lib/addresses/ip-address'
import { planNetworkLayout, type HostFacts, type NetworkRequest } from './network-layout'

const subnet = (text: string) => {
  const parsed = parseIpWithPrefix(text)!
  return subnetOf(parsed.address, parsed.prefix)
}
const host: HostFacts = {
  networks: [{ name: 'default', bridge: 'virbr0', subnets: ['192.168.122.0/24', 'fd00:122::/64'] }],
  hostSubnets: [{ subnet: subnet('10.77.0.0/30'), owner: 'interface eth0' }],
  interfaces: [
    { name: 'virbr0', kind: 'bridge' },
    { name: 'eth0', kind: 'veth' },
    { name: 'eth1', kind: null },
    { name: 'ovsbr0', kind: 'openvswitch' },
  ],
}
const request = (fields: Partial<NetworkRequest>): NetworkRequest => ({
  name: 'n1',
  kind: 'isolated',
  localOnly: false,
  forwarders: [],
  dnsHosts: [],
  directMode: 'bridge',
  interfaces: [],
  portgroups: [],
  ...fields,
})

describe('planNetworkLayout', () => {
  it('serves IPv6 by router advertisements alone unless a DHCPv6 range is given', () => {
    const { spec } = planNetworkLayout(request({ ipv6: subnet('fd00:5::/64') }), host)
    expect(spec?.ipv6).toEqual({ address: 'fd00:5::1', prefix: 64 })
    expect(spec?.bridge).toBe('virbr1')
    const withRange = planNetworkLayout(
      request({ ipv6: subnet('fd00:5::/64'), dhcp6Start: 'fd00:5::100', dhcp6End: 'fd00:5::1ff' }),
      host,
    )
    expect(withRange.spec?.ipv6?.dhcp).toEqual({ start: 'fd00:5::100', end: 'fd00:5::1ff' })
  })

  it('refuses a DHCPv6 range on a prefix shorter than /64, which dnsmasq refuses at start', () => {
    const { errors } = planNetworkLayout(
      request({ ipv6: subnet('fd00:5::/56'), dhcp6Start: 'fd00:5::100', dhcp6End: 'fd00:5::1ff' }),
      host,
    )
    expect(errors.ipv6Cidr).toEqual([
      'A DHCPv6 range needs a prefix of /64 or longer (dnsmasq refuses fd00:5::/56 when the network starts).',
    ])
  })

  it('refuses overlapping subnets of either family, ranges outside the subnet and a network with no addresses', () => {
    expect(planNetworkLayout(request({ ipv6: subnet('fd00:122::/48') }), host).errors.ipv6Cidr).toEqual([
      'fd00:122::/48 overlaps fd00:122::/64 of network default.',
    ])
    expect(
      planNetworkLayout(request({ ipv4: subnet('10.1.2.0/24'), dhcpStart: '10.1.3.2', dhcpEnd: '10.1.2.9' }), host)
        .errors.dhcpStart,
    ).toEqual(['Must be a host address inside 10.1.2.0/24.'])
    expect(planNetworkLayout(request({}), host).errors.ipv4Cidr).toHaveLength(1)
  })

  it('checks the interfaces of a macvtap pool and the bridge of an Open vSwitch network on the host', () => {
    expect(planNetworkLayout(request({ kind: 'direct', interfaces: ['eth1', 'virbr0', 'nope'] }), host).errors).toEqual(
      {
        interfaces: [
          'virbr0 is a bridge; use a bridged network for it instead.',
          'The host has no interface named nope.',
        ],
      },
    )
    expect(planNetworkLayout(request({ kind: 'direct', directMode: 'vepa', interfaces: ['eth1'] }), host).spec).toEqual(
      {
        name: 'n1',
        kind: 'direct',
        directMode: 'vepa',
        interfaces: ['eth1'],
      },
    )
    expect(planNetworkLayout(request({ kind: 'openvswitch', bridge: 'virbr0' }), host).errors.bridge).toEqual([
      'virbr0 is not an Open vSwitch bridge (its kind is bridge).',
    ])
    const ovs = planNetworkLayout(
      request({
        kind: 'openvswitch',
        bridge: 'ovsbr0',
        portgroups: [
          { name: 'a', vlanTags: [10], isDefault: true },
          { name: 'a', vlanTags: [], isDefault: true },
        ],
      }),
      host,
    )
    expect(ovs.errors.portgroups).toEqual(['Portgroup a is named twice.', 'Only one portgroup can be the default.'])
  })

  it('writes out the NAT port range libvirt uses by default and refuses NAT settings on other kinds', () => {
    expect(planNetworkLayout(request({ kind: 'nat', ipv4: subnet('10.1.2.0/24') }), host).spec?.nat).toEqual({
      portStart: 1024,
      portEnd: 65535,
    })
    expect(
      planNetworkLayout(request({ ipv4: subnet('10.1.2.0/24'), natPortStart: 1, natPortEnd: 2 }), host).errors,
    ).toEqual({ natPortStart: ['Only a NAT network translates addresses and ports.'] })
  })
})
