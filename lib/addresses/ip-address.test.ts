import { describe, expect, it } from 'vitest'
import {
  broadcastOf,
  canonicalIp,
  classfulPrefix,
  formatIp,
  formatSubnet,
  isIpv4,
  parseIp,
  parseIpv4,
  parseIpv4Cidr,
  parseIpv4WithPrefix,
  prefixOfNetmask,
  requireIpv4,
  sameIp,
  subnetContains,
  subnetOf,
  subnetsOverlap,
} from '@/lib/addresses/ip-address'

describe('IP addresses', () => {
  it('spells IPv6 like glibc inet_ntop (what libvirt prints)', () => {
    expect(canonicalIp('f0:0d::f0:0d')).toBe('f0:d::f0:d')
    expect(canonicalIp('fd00:0:0:0::1')).toBe('fd00::1')
    expect(canonicalIp('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1')
    expect(canonicalIp('0:0:0:0:0:0:0:0')).toBe('::')
    expect(canonicalIp('::1')).toBe('::1')
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1')
    expect(canonicalIp('::c000:201')).toBe('::192.0.2.1')
    expect(canonicalIp('1:0:1:1:1:1:1:1')).toBe('1:0:1:1:1:1:1:1')
    expect(canonicalIp('fd8f:1391:3a82:150:0:0:c0a8:9603')).toBe('fd8f:1391:3a82:150::c0a8:9603')
  })

  it('accepts strict dotted-quad IPv4 only', () => {
    expect(canonicalIp('192.168.122.1')).toBe('192.168.122.1')
    for (const bad of ['192.168.122.012', '10.1', '256.1.1.1', '1.2.3.4.5', '', '1::2::3', '12345::', 'fe80::1%eth0'])
      expect(parseIp(bad), bad).toBeNull()
  })

  it('compares addresses by value', () => {
    expect(sameIp('f0:0d::f0:0d', 'f0:d::f0:d')).toBe(true)
    expect(sameIp('::ffff:1.2.3.4', '1.2.3.4')).toBe(false)
  })

  it('derives prefixes', () => {
    expect(prefixOfNetmask('255.255.255.0')).toBe(24)
    expect(prefixOfNetmask('255.0.255.0')).toBeNull()
    expect([
      classfulPrefix('10.24.10.1'),
      classfulPrefix('172.16.0.1'),
      classfulPrefix('192.168.1.1'),
      classfulPrefix('224.0.0.1'),
    ]).toEqual([8, 16, 24, null])
  })
})

describe('IPv4 subnets', () => {
  it('converts addresses both ways', () => {
    expect(formatIp(requireIpv4('192.168.122.1'))).toBe('192.168.122.1')
    expect(requireIpv4('255.255.255.255').value).toBe(0xffffffffn)
    expect(() => requireIpv4('256.1.1.1')).toThrow()
  })

  it('keeps IPv6 out of IPv4-only settings', () => {
    expect(isIpv4('10.1.2.3')).toBe(true)
    expect([isIpv4('::ffff:10.1.2.3'), parseIpv4('fd00::1'), parseIpv4WithPrefix('fd00::/64')]).toEqual([
      false,
      null,
      null,
    ])
    expect(() => requireIpv4('fd00::1')).toThrow()
  })

  it('parses subnets and refuses addresses with host bits', () => {
    expect(parseIpv4Cidr('10.1.2.0/24')).toEqual({ network: requireIpv4('10.1.2.0'), prefix: 24 })
    expect(parseIpv4Cidr('10.1.2.5/24')).toBeNull()
    expect(parseIpv4Cidr('10.1.2.0/33')).toBeNull()
    expect(parseIpv4Cidr('10.1.2.0')).toBeNull()
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ network: { family: 'ipv4', value: 0n }, prefix: 0 })
    expect(parseIpv4Cidr(' 10.1.2.0/24 ')).toEqual({ network: requireIpv4('10.1.2.0'), prefix: 24 })
    expect(parseIpv4WithPrefix('10.1.2.5/24')).toEqual({ address: requireIpv4('10.1.2.5'), prefix: 24 })
  })

  it('converts netmasks', () => {
    expect(prefixOfNetmask('255.255.255.0')).toBe(24)
    expect(prefixOfNetmask('255.255.128.0')).toBe(17)
    expect(prefixOfNetmask('0.0.0.0')).toBe(0)
    expect(prefixOfNetmask('255.255.255.255')).toBe(32)
    expect(prefixOfNetmask('255.0.255.0')).toBeNull()
  })

  it('detects overlap in both directions', () => {
    const big = parseIpv4Cidr('10.0.0.0/8')!
    const small = parseIpv4Cidr('10.20.0.0/16')!
    expect(subnetsOverlap(big, small)).toBe(true)
    expect(subnetsOverlap(small, big)).toBe(true)
    expect(subnetsOverlap(parseIpv4Cidr('192.168.122.0/24')!, parseIpv4Cidr('192.168.123.0/24')!)).toBe(false)
  })

  it('knows containment and broadcast', () => {
    const subnet = subnetOf(requireIpv4('192.168.122.1'), 24)
    expect(formatSubnet(subnet)).toBe('192.168.122.0/24')
    expect(formatIp(broadcastOf(subnet))).toBe('192.168.122.255')
    expect(subnetContains(subnet, requireIpv4('192.168.122.200'))).toBe(true)
    expect(subnetContains(subnet, requireIpv4('192.168.123.1'))).toBe(false)
  })
})
