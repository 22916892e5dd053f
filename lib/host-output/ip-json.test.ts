import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseBridgeLinks } from '@/lib/host-output/bridge-link-json'
import { parseIpAddresses } from '@/lib/host-output/ip-addr-json'
import { bridgePorts, parseIpLinks } from '@/lib/host-output/ip-link-json'

describe('ip -j link', () => {
  it('reads the recorded bridge list', () => {
    expect(parseIpLinks(readFixture('recorded', 'ip-j-link-bridge.json'))).toEqual([
      {
        index: 6,
        name: 'virbr0',
        flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'],
        up: true,
        mtu: 1500,
        operState: 'DOWN',
        mac: '52:54:00:43:f6:cd',
        master: null,
        kind: null,
        slaveKind: null,
        stpState: null,
      },
    ])
  })

  it('reads kinds, STP state and bridge ports from -d output (recorded)', () => {
    const links = parseIpLinks(readFixture('recorded', 'ip-j-d-link.json'))
    expect(links.find((l) => l.name === 'virbr0')).toMatchObject({ kind: 'bridge', stpState: 1 })
    expect(links.find((l) => l.name === 'vnet0')).toMatchObject({ kind: 'tun', slaveKind: 'bridge', master: 'virbr0' })
    expect(Object.fromEntries(bridgePorts(links))).toEqual({ virbr0: ['vnet0', 'vnet1'] })
  })

  it('treats empty output as no links and rejects non-JSON in plain words', () => {
    expect(parseIpLinks('')).toEqual([])
    expect(() => parseIpLinks('Device "x" does not exist.')).toThrowError(/ip -j link: output is not valid JSON/)
    expect(() => parseIpLinks('[{"ifname": 3}]')).toThrowError('ip -j link: entry 1: "ifindex" should be a number')
  })
})

describe('ip -j addr', () => {
  it('reads the recorded addresses', () => {
    const links = parseIpAddresses(readFixture('recorded', 'ip-j-addr.json'))
    expect(links.find((l) => l.name === 'virbr0')?.addresses).toEqual([
      { family: 'ipv4', address: '192.168.122.1', prefix: 24, scope: 'global', label: 'virbr0' },
    ])
    expect(links.find((l) => l.name === 'lo')?.addresses.map((a) => `${a.address}/${a.prefix}`)).toEqual([
      '127.0.0.1/8',
      '::1/128',
    ])
  })
})

describe('bridge -j link', () => {
  it('reads the recorded bridge ports', () => {
    // Two guest ports of virbr0 that differ only in index and name.
    const port = (index: number, name: string) => ({
      index,
      name,
      master: 'virbr0',
      state: 'listening',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      priority: 32,
      cost: 2,
    })
    expect(parseBridgeLinks(readFixture('recorded', 'bridge-j-link.json'))).toEqual([
      port(10, 'vnet0'),
      port(11, 'vnet1'),
    ])
  })
})
