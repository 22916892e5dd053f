import { describe, expect, it } from 'vitest'
import { expectRecordedWithAndWithoutHeader, virshOutput } from '@/lib/test/virsh-output'
import { parseNetDhcpLeases } from '@/lib/host-output/virsh-net-dhcp-leases'

describe('virsh net-dhcp-leases', () => {
  const recorded = [
    {
      expiryTime: '2026-11-28 16:28:45',
      mac: '52:54:00:77:0a:01',
      protocol: 'ipv4',
      ip: '192.168.122.45',
      prefix: 24,
      hostname: null,
      clientId: '01:52:54:00:77:0a:01',
    },
    {
      expiryTime: '2026-11-28 16:28:45',
      mac: '52:54:00:77:0a:02',
      protocol: 'ipv4',
      ip: '192.168.122.46',
      prefix: 24,
      hostname: null,
      clientId: '01:52:54:00:77:0a:02',
    },
  ]

  it('reads hostnames and DHCPv6 leases with a DUID', () => {
    const output = virshOutput(
      ' Expiry Time           MAC address         Protocol   IP address                Hostname   Client ID or DUID',
      '--------------------------------------------------------------------------------------------------------------------',
      ' 2026-11-28 16:28:45   52:54:00:77:0a:01   ipv4       192.168.122.45/24         vm1        01:52:54:00:77:0a:01',
      ' 2026-11-28 16:30:00   52:54:00:77:0a:01   ipv6       fd00:83::11/64            vm1        00:04:7e:7d:f0:7d:a8:bc',
    )
    expect(parseNetDhcpLeases(output)[1]).toEqual({
      expiryTime: '2026-11-28 16:30:00',
      mac: '52:54:00:77:0a:01',
      protocol: 'ipv6',
      ip: 'fd00:83::11',
      prefix: 64,
      hostname: 'vm1',
      clientId: '00:04:7e:7d:f0:7d:a8:bc',
    })
  })

  it('parses the recorded table (hostname "-" → null), with and without header (-q)', () => {
    expectRecordedWithAndWithoutHeader(parseNetDhcpLeases, 'net-dhcp-leases', recorded)
  })

  it('rejects a malformed address or expiry time', () => {
    expect(() =>
      parseNetDhcpLeases(' 2026-11-28 16:28:45   52:54:00:77:0a:01   ipv4   192.168.122.45   -   -\n'),
    ).toThrowError('IP address should look like')
    expect(() => parseNetDhcpLeases(' tomorrow   52:54:00:77:0a:01   ipv4   192.168.122.45/24   -   -\n')).toThrowError(
      'expiry time should look like',
    )
  })
})
