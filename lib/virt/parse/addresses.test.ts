import { describe, expect, it } from 'vitest'
import { charWidth, toDisplayColumns } from '@/lib/virt/parse/display-width'
import { canonicalIp, classfulPrefix, parseIp, prefixOfNetmask, sameIp } from '@/lib/virt/parse/ip-address'
import { canonicalMac, isMulticastMac, sameMac } from '@/lib/virt/parse/mac-address'

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
    for (const bad of ['192.168.122.012', '10.1', '256.1.1.1', '1.2.3.4.5', '', '1::2::3', '12345::', 'fe80::1%eth0']) expect(parseIp(bad), bad).toBeNull()
  })

  it('compares addresses by value', () => {
    expect(sameIp('f0:0d::f0:0d', 'f0:d::f0:d')).toBe(true)
    expect(sameIp('::ffff:1.2.3.4', '1.2.3.4')).toBe(false)
  })

  it('derives prefixes', () => {
    expect(prefixOfNetmask('255.255.255.0')).toBe(24)
    expect(prefixOfNetmask('255.0.255.0')).toBeNull()
    expect([classfulPrefix('10.24.10.1'), classfulPrefix('172.16.0.1'), classfulPrefix('192.168.1.1'), classfulPrefix('224.0.0.1')]).toEqual([8, 16, 24, null])
  })
})

describe('MAC addresses', () => {
  it('compares like libvirt (case-insensitive, one-digit parts allowed)', () => {
    expect(sameMac('00:16:3E:77:E2:ED', '0:16:3e:77:e2:ed')).toBe(true)
    expect(canonicalMac('0:16:3E:7:E2:ED')).toBe('00:16:3e:07:e2:ed')
    expect(isMulticastMac('01:00:5e:00:00:01')).toBe(true)
    expect(canonicalMac('zz')).toBeNull()
  })
})

describe('display width', () => {
  it('counts wide and combining characters like wcwidth', () => {
    expect([charWidth('a'), charWidth('日'), charWidth('\u0301')]).toEqual([1, 2, 0])
    expect(toDisplayColumns('日a')).toEqual(['日', '', 'a'])
    expect(toDisplayColumns('e\u0301x')).toEqual(['e\u0301', 'x'])
  })
})
