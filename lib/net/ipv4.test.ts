import { describe, expect, it } from 'vitest'
import { broadcastOf, formatSubnet, ipv4ToNumber, netmaskToPrefix, numberToIpv4, parseIpv4Cidr, subnetContains, subnetOf, subnetsOverlap } from './ipv4'

describe('ipv4', () => {
  it('converts addresses both ways', () => {
    expect(numberToIpv4(ipv4ToNumber('192.168.122.1'))).toBe('192.168.122.1')
    expect(ipv4ToNumber('255.255.255.255')).toBe(0xffffffff)
    expect(() => ipv4ToNumber('256.1.1.1')).toThrow()
  })
  it('parses subnets and refuses addresses with host bits', () => {
    expect(parseIpv4Cidr('10.1.2.0/24')).toEqual({ network: ipv4ToNumber('10.1.2.0'), prefix: 24 })
    expect(parseIpv4Cidr('10.1.2.5/24')).toBeNull()
    expect(parseIpv4Cidr('10.1.2.0/33')).toBeNull()
    expect(parseIpv4Cidr('10.1.2.0')).toBeNull()
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ network: 0, prefix: 0 })
  })
  it('converts netmasks', () => {
    expect(netmaskToPrefix('255.255.255.0')).toBe(24)
    expect(netmaskToPrefix('255.255.128.0')).toBe(17)
    expect(netmaskToPrefix('0.0.0.0')).toBe(0)
    expect(() => netmaskToPrefix('255.0.255.0')).toThrow()
  })
  it('detects overlap in both directions', () => {
    const big = parseIpv4Cidr('10.0.0.0/8')!
    const small = parseIpv4Cidr('10.20.0.0/16')!
    expect(subnetsOverlap(big, small)).toBe(true)
    expect(subnetsOverlap(small, big)).toBe(true)
    expect(subnetsOverlap(parseIpv4Cidr('192.168.122.0/24')!, parseIpv4Cidr('192.168.123.0/24')!)).toBe(false)
  })
  it('knows containment and broadcast', () => {
    const subnet = subnetOf('192.168.122.1', 24)
    expect(formatSubnet(subnet)).toBe('192.168.122.0/24')
    expect(numberToIpv4(broadcastOf(subnet))).toBe('192.168.122.255')
    expect(subnetContains(subnet, ipv4ToNumber('192.168.122.200'))).toBe(true)
    expect(subnetContains(subnet, ipv4ToNumber('192.168.123.1'))).toBe(false)
  })
})
