import { describe, expect, it } from 'vitest'
import { parseIpv4Cidr } from '@/lib/addresses/ip-address'
import { planNatLayout } from './nat-layout'

const defaultNet = { name: 'default', bridge: 'virbr0', subnet: '192.168.122.0/24' }
const hostSubnets = [
  { subnet: parseIpv4Cidr('192.168.122.0/24')!, owner: 'interface virbr0' },
  { subnet: parseIpv4Cidr('10.77.0.0/30')!, owner: 'interface vnlab-b0' },
]

describe('planNatLayout', () => {
  it('fills in the usual gateway and DHCP range', () => {
    expect(planNatLayout({ name: 'n1', ipv4Cidr: '10.1.2.0/24' }, [defaultNet], hostSubnets, ['virbr0'])).toEqual({
      layout: { bridge: 'virbr1', gateway: '10.1.2.1', prefix: 24, dhcpStart: '10.1.2.2', dhcpEnd: '10.1.2.254' },
      errors: {},
    })
  })

  it('refuses a subnet that overlaps a network or a host interface', () => {
    expect(
      planNatLayout({ name: 'n1', ipv4Cidr: '192.168.122.0/25' }, [defaultNet], hostSubnets, []).errors.ipv4Cidr,
    ).toEqual(['192.168.122.0/25 overlaps 192.168.122.0/24 of network default.'])
    expect(
      planNatLayout({ name: 'n1', ipv4Cidr: '10.77.0.0/16' }, [defaultNet], hostSubnets, []).errors.ipv4Cidr,
    ).toEqual(['10.77.0.0/16 overlaps 10.77.0.0/30 on interface vnlab-b0.'])
  })

  it('refuses a taken name or bridge', () => {
    const { errors } = planNatLayout(
      { name: 'default', bridge: 'virbr0', ipv4Cidr: '10.9.0.0/24' },
      [defaultNet],
      hostSubnets,
      ['virbr0'],
    )
    expect(errors.name).toEqual(['A network named default already exists on this host.'])
    expect(errors.bridge).toEqual(['Bridge virbr0 belongs to network default.'])
    expect(
      planNatLayout({ name: 'x', bridge: 'eth0', ipv4Cidr: '10.9.0.0/24' }, [], [], ['eth0']).errors.bridge,
    ).toEqual(['The host already has an interface named eth0.'])
  })

  it('checks a given DHCP range', () => {
    const outside = planNatLayout(
      { name: 'n', ipv4Cidr: '10.1.2.0/24', dhcpStart: '10.1.3.5', dhcpEnd: '10.1.2.1' },
      [],
      [],
      [],
    )
    expect(outside.errors.dhcpStart).toEqual(['Must be a host address inside 10.1.2.0/24.'])
    expect(outside.errors.dhcpEnd).toEqual(["10.1.2.1 is the network's own (gateway) address."])
    expect(
      planNatLayout({ name: 'n', ipv4Cidr: '10.1.2.0/24', dhcpStart: '10.1.2.50', dhcpEnd: '10.1.2.40' }, [], [], [])
        .errors.dhcpEnd,
    ).toEqual(['The range must end at or after its start.'])
    expect(
      planNatLayout({ name: 'n', ipv4Cidr: '10.1.2.0/24', dhcpStart: '10.1.2.10', dhcpEnd: '10.1.2.20' }, [], [], [])
        .layout?.dhcpEnd,
    ).toBe('10.1.2.20')
  })
})
