import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseDnsmasqHostsfile } from '@/lib/host-output/dnsmasq-hostsfile'
import { parseLeaseStatusFile } from '@/lib/host-output/dnsmasq-status'

describe('dnsmasq hostsfile', () => {
  it('reads the recorded (empty) file', () => {
    expect(parseDnsmasqHostsfile(readFixture('recorded', 'dnsmasq-default.hostsfile'))).toEqual([])
  })

  it("reads every shape libvirt's virdnsmasq.c writes", () => {
    // One line per hostsfileAdd() branch (IPv4: mac,ip[,name]; name,ip; IPv6: id:…,name,[ip]; name,[ip]; id:…,[ip]) plus lease times.
    const content = [
      '52:54:00:aa:bb:cc,192.168.122.10,vm1',
      '52:54:00:aa:bb:cd,192.168.122.11',
      'vm3,192.168.122.12,2h',
      '52:54:00:aa:bb:ce,192.168.122.13,vm4,infinite',
      'id:0:3:0:1:0:16:3e:11:22:33,peter.xyz,[2001:db8:ac10:fd01::1:22]',
      'paul,[2001:db8:ac10:fd01::1:21],10m',
      'id:0:4:7e:7d:f0:7d:a8:bc,[2001:db8:ac10:fd01::1:20]',
      '',
    ].join('\n')
    expect(parseDnsmasqHostsfile(content)).toEqual([
      { mac: '52:54:00:aa:bb:cc', id: null, name: 'vm1', ip: '192.168.122.10', family: 'ipv4', leaseTime: null },
      { mac: '52:54:00:aa:bb:cd', id: null, name: null, ip: '192.168.122.11', family: 'ipv4', leaseTime: null },
      { mac: null, id: null, name: 'vm3', ip: '192.168.122.12', family: 'ipv4', leaseTime: '2h' },
      { mac: '52:54:00:aa:bb:ce', id: null, name: 'vm4', ip: '192.168.122.13', family: 'ipv4', leaseTime: 'infinite' },
      {
        mac: null,
        id: '0:3:0:1:0:16:3e:11:22:33',
        name: 'peter.xyz',
        ip: '2001:db8:ac10:fd01::1:22',
        family: 'ipv6',
        leaseTime: null,
      },
      { mac: null, id: null, name: 'paul', ip: '2001:db8:ac10:fd01::1:21', family: 'ipv6', leaseTime: '10m' },
      {
        mac: null,
        id: '0:4:7e:7d:f0:7d:a8:bc',
        name: null,
        ip: '2001:db8:ac10:fd01::1:20',
        family: 'ipv6',
        leaseTime: null,
      },
    ])
  })

  it('rejects lines without an address or with extra fields', () => {
    expect(() => parseDnsmasqHostsfile('52:54:00:aa:bb:cc,vm1\n')).toThrowError(
      'dnsmasq hostsfile: no IP address in "52:54:00:aa:bb:cc,vm1" (line 1)',
    )
    expect(() => parseDnsmasqHostsfile('a,192.168.1.1,b\n')).toThrowError('unexpected field "b"')
  })
})

describe('libvirt lease status file (virbrN.status)', () => {
  it('reads the recorded file', () => {
    expect(parseLeaseStatusFile(readFixture('recorded', 'dnsmasq-virbr0.status'))).toEqual([
      {
        ip: '192.168.122.46',
        mac: '52:54:00:77:0a:02',
        hostname: null,
        clientId: '01:52:54:00:77:0a:02',
        iaid: null,
        serverDuid: null,
        expiryTime: 1795883325,
      },
      {
        ip: '192.168.122.45',
        mac: '52:54:00:77:0a:01',
        hostname: null,
        clientId: '01:52:54:00:77:0a:01',
        iaid: null,
        serverDuid: null,
        expiryTime: 1795883325,
      },
    ])
  })

  it('treats an empty file as no leases and reports a broken one', () => {
    expect(parseLeaseStatusFile('')).toEqual([])
    expect(() => parseLeaseStatusFile('[{"ip-address": "1.2.3.4"}]')).toThrowError(
      'entry 1: "expiry-time" should be a number',
    )
    expect(() => parseLeaseStatusFile('{')).toThrowError('dnsmasq lease status file: output is not valid JSON')
  })
})
