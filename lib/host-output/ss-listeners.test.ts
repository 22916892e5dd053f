import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseSocketAddress, parseSsListeners, wildcardListeners } from '@/lib/host-output/ss-listeners'

describe('ss -Hlnup / -Hlntup', () => {
  it('reads the recorded -Hlnup output (no Netid column)', () => {
    const sockets = parseSsListeners(readFixture('recorded', 'ss-Hlnup.txt'))
    expect(sockets[0]).toEqual({
      netid: null,
      state: 'UNCONN',
      recvQ: 0,
      sendQ: 0,
      local: { address: '192.168.122.1', port: 53, interface: null, family: 'ipv4', wildcard: false },
      peer: '0.0.0.0:*',
      processes: [{ name: 'dnsmasq', pid: 20632, fd: 5 }],
    })
    expect(sockets[1]?.local).toEqual({
      address: '0.0.0.0',
      port: 67,
      interface: 'virbr0',
      family: 'ipv4',
      wildcard: true,
    })
  })

  it('reads the recorded -Hlntup output (Netid column, sockets without process)', () => {
    const sockets = parseSsListeners(readFixture('recorded', 'ss-Hlntup.txt'))
    expect(sockets.map((s) => `${s.netid} ${s.local.address}:${s.local.port}`)).toContain('tcp 192.168.122.1:53')
    expect(sockets.at(-1)).toMatchObject({ netid: 'tcp', local: { address: '0.0.0.0', port: 2024 }, processes: [] })
  })

  it("libvirt's dnsmasq (gateway address, per-interface DHCP) does not count as a wildcard DNS listener", () => {
    expect(wildcardListeners(parseSsListeners(readFixture('recorded', 'ss-Hlntup.txt')), 53)).toEqual([])
  })

  it('finds a system resolver bound to all addresses', () => {
    const output = [
      'udp UNCONN 0 0 0.0.0.0:53 0.0.0.0:* users:(("dnsmasq",pid=900,fd=4))',
      'udp UNCONN 0 0 [::]:53 [::]:* users:(("dnsmasq",pid=900,fd=6))',
      'udp UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:* users:(("systemd-resolve",pid=500,fd=13))',
      'tcp LISTEN 0 32 *:53 *:* users:(("named",pid=77,fd=20),("named",pid=77,fd=21))',
    ].join('\n')
    const holders = wildcardListeners(parseSsListeners(output), 53)
    expect(holders.map((s) => `${s.local.family} ${s.processes.map((p) => p.name).join(',')}`)).toEqual([
      'ipv4 dnsmasq',
      'ipv6 dnsmasq',
      'any named,named',
    ])
  })

  it('reads IPv6 addresses bound to an interface and process names with spaces', () => {
    expect(parseSocketAddress('[fe80::1]%virbr0:547')).toEqual({
      address: 'fe80::1',
      port: 547,
      interface: 'virbr0',
      family: 'ipv6',
      wildcard: false,
    })
    expect(parseSocketAddress('[fe80::1%virbr0]:547')).toMatchObject({ address: 'fe80::1', interface: 'virbr0' })
    expect(
      parseSsListeners('UNCONN 0 0 0.0.0.0:5353 0.0.0.0:* users:(("Web Content",pid=1,fd=2))')[0]?.processes,
    ).toEqual([{ name: 'Web Content', pid: 1, fd: 2 }])
  })

  it('refuses output with a header (forgotten -H) or garbage', () => {
    expect(() => parseSsListeners('State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n')).toThrowError(
      'run ss with -H',
    )
    expect(() => parseSsListeners('what\n')).toThrowError('cannot read socket line "what"')
  })
})
