import { describe, expect, it } from 'vitest'
import { charWidth, toDisplayColumns } from '@/lib/host-output/display-width'
import { canonicalMac, isMulticastMac, sameMac } from '@/lib/addresses/mac-address'

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
