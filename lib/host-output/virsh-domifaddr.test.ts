import { describe, expect, it } from 'vitest'
import { expectRecordedWithAndWithoutHeader, virshOutput } from '@/lib/test/virsh-output'
import { parseDomIfAddr } from '@/lib/host-output/virsh-domifaddr'

describe('virsh domifaddr', () => {
  const recorded = [
    { name: 'vnet0', mac: '52:54:00:77:0a:01', protocol: 'ipv4', address: '192.168.122.45', prefix: 24 },
  ]

  it('reads --source agent output: continuation rows, long names, interfaces without address or MAC', () => {
    // printf(" %-10s %-17s    %s") layout; a name longer than 10 characters shifts the rest.
    const output = virshOutput(
      ' Name       MAC address          Protocol     Address',
      '-------------------------------------------------------------------------------',
      ' lo         00:00:00:00:00:00    ipv4         127.0.0.1/8',
      ' -          -                    ipv6         ::1/128',
      ' enp1s0     52:54:00:77:0a:01    ipv4         192.168.122.45/24',
      ' -          -                    ipv6         fe80::5054:ff:fe77:a01/64',
      ' very-long-ifname 52:54:00:77:0a:09    N/A          N/A',
      ' wg0                             ipv4         10.8.0.2/24',
    )
    expect(parseDomIfAddr(output)).toEqual([
      { name: 'lo', mac: '00:00:00:00:00:00', protocol: 'ipv4', address: '127.0.0.1', prefix: 8 },
      { name: 'lo', mac: '00:00:00:00:00:00', protocol: 'ipv6', address: '::1', prefix: 128 },
      { name: 'enp1s0', mac: '52:54:00:77:0a:01', protocol: 'ipv4', address: '192.168.122.45', prefix: 24 },
      { name: 'enp1s0', mac: '52:54:00:77:0a:01', protocol: 'ipv6', address: 'fe80::5054:ff:fe77:a01', prefix: 64 },
      { name: 'very-long-ifname', mac: '52:54:00:77:0a:09', protocol: null, address: null, prefix: null },
      { name: 'wg0', mac: null, protocol: 'ipv4', address: '10.8.0.2', prefix: 24 },
    ])
  })

  it('parses the recorded --source lease output, with and without header (-q)', () => {
    expectRecordedWithAndWithoutHeader(parseDomIfAddr, 'domifaddr-lease', recorded)
  })

  it('rejects malformed rows', () => {
    expect(() => parseDomIfAddr(' -   -   ipv4   10.0.0.1/24\n')).toThrowError(
      'continuation row ("-") without a preceding interface',
    )
    expect(() => parseDomIfAddr(' vnet0   52:54:00:77:0a:01   ipx   10.0.0.1/24\n')).toThrowError(
      'unexpected protocol "ipx"',
    )
    expect(() => parseDomIfAddr(' vnet0\n')).toThrowError('expected "name MAC protocol address"')
  })
})
