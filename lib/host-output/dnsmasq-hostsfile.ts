import 'server-only'
import { isIpv4 } from '@/lib/addresses/ip-address'
import { ParseError } from '@/lib/core/errors'

/*
 * libvirt's dnsmasq DHCP host file (/var/lib/libvirt/dnsmasq/NET.hostsfile), one dhcp-host
 * spec per line, written by virdnsmasq.c:
 *   IPv4: mac,ip,name | mac,ip | name,ip            (+ ",leasetime")
 *   IPv6: id:DUID,name,[ip] | name,[ip] | id:DUID,[ip]   (+ ",leasetime")
 * where leasetime is "infinite" or a number with an s/m/h unit. Fields are recognised by shape,
 * because their position depends on which ones are present. Like dnsmasq itself, a field that
 * looks like a lease time ("10m", "3600") is read as one, even where a host name could stand.
 */

export type DnsmasqHost = {
  mac: string | null
  /** DHCPv6 client DUID (without the "id:" prefix). */
  id: string | null
  name: string | null
  ip: string
  family: 'ipv4' | 'ipv6'
  /** As written: "infinite", "3600", "10m", "2h". */
  leaseTime: string | null
}

const SOURCE = 'dnsmasq hostsfile'
const MAC = /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}$/
const LEASE = /^(?:infinite|\d+[smhdw]?)$/

export function parseDnsmasqHostsfile(content: string): DnsmasqHost[] {
  const hosts: DnsmasqHost[] = []
  content.split('\n').forEach((raw, index) => {
    const line = index + 1
    const text = raw.trim()
    if (text === '' || text.startsWith('#')) return
    const host: DnsmasqHost = { mac: null, id: null, name: null, ip: '', family: 'ipv4', leaseTime: null }
    for (const field of text.split(',')) {
      if (field.startsWith('id:')) host.id = field.slice(3)
      else if (/^\[[0-9a-fA-F:.]+\]$/.test(field)) Object.assign(host, { ip: field.slice(1, -1), family: 'ipv6' })
      else if (isIpv4(field)) host.ip = field
      else if (MAC.test(field)) host.mac = field
      else if (LEASE.test(field) && host.ip !== '') host.leaseTime = field
      else if (host.name === null && field !== '') host.name = field
      else throw new ParseError(SOURCE, `unexpected field "${field}" in "${text}"`, { line })
    }
    if (host.ip === '') throw new ParseError(SOURCE, `no IP address in "${text}"`, { line })
    if (host.mac === null && host.id === null && host.name === null)
      throw new ParseError(SOURCE, `no MAC, id or name in "${text}"`, { line })
    hosts.push(host)
  })
  return hosts
}
