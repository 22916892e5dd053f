import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import {
  addDhcpHost,
  addDhcpRange,
  deleteDhcpHost,
  deleteDhcpRange,
  dhcpHostFragmentXml,
  dhcpRangeFragmentXml,
  modifyDhcpHost,
} from '@/lib/libvirt-xml/network-dhcp-edit'
import { readNetworkDocument } from '@/lib/libvirt-xml/network-parse'
import { NetworkUpdateError } from '@/lib/libvirt-xml/net-update/network-update-types'
import { parseXml } from '@/lib/xml/xml-parse'

const rich = () => parseXml(readFixture('recorded', 'libvirt9-net-define-rich.xml'))
const hostsOf = (doc: ReturnType<typeof rich>, ip = 0) => readNetworkDocument(doc).ips[ip]?.dhcp?.hosts

describe('DHCP editing helpers', () => {
  it('add / modify / delete a host on the <ip> that serves DHCP', () => {
    let doc = addDhcpHost(rich(), { mac: '52:54:00:00:83:20', name: 'vm20', ip: '192.168.83.20' })
    expect(hostsOf(doc)?.at(-1)).toEqual({ mac: '52:54:00:00:83:20', name: 'vm20', ip: '192.168.83.20' })
    doc = modifyDhcpHost(doc, {
      mac: '52:54:00:00:83:20',
      name: 'vm20',
      ip: '192.168.83.21',
      lease: { expiry: 1, unit: 'hours' },
    })
    expect(hostsOf(doc)?.at(-1)).toEqual({
      mac: '52:54:00:00:83:20',
      name: 'vm20',
      ip: '192.168.83.21',
      lease: { expiry: 1, unit: 'hours' },
    })
    doc = deleteDhcpHost(doc, { mac: '52:54:00:00:83:20' })
    expect(hostsOf(doc)).toEqual([
      { mac: '52:54:00:00:83:10', ip: '192.168.83.10', lease: { expiry: 2, unit: 'hours' } },
    ])
  })

  it('add-first puts the host before the existing ones', () => {
    const doc = addDhcpHost(rich(), { mac: '52:54:00:00:83:20', ip: '192.168.83.20' }, { position: 'first' })
    expect(hostsOf(doc)?.map((h) => h.ip)).toEqual(['192.168.83.20', '192.168.83.10'])
  })

  it('refuses a duplicate MAC (case-insensitive, like libvirt), a missing host and a range modify', () => {
    expect(() => addDhcpHost(rich(), { mac: '52:54:00:00:83:10'.toUpperCase(), ip: '192.168.83.99' })).toThrowError(
      NetworkUpdateError,
    )
    expect(() => modifyDhcpHost(rich(), { mac: '52:54:00:00:99:99', ip: '192.168.83.99' })).toThrowError(
      "couldn't locate an existing dhcp host entry",
    )
    expect(() => deleteDhcpHost(rich(), { name: 'nobody' })).toThrowError(
      "couldn't locate a matching dhcp host entry in network 'vnfx-rich'",
    )
  })

  it('adds DHCPv6 hosts by DUID on the given <ip>, refusing a DUID already in use (stricter than libvirt)', () => {
    const doc = addDhcpHost(rich(), { id: '0:3:0:1:52:54:0:0:83:12', ip: 'fd00:83::12' }, { ipIndex: 1 })
    expect(hostsOf(doc, 1)?.at(-1)).toEqual({ id: '0:3:0:1:52:54:0:0:83:12', ip: 'fd00:83::12' })
    expect(() =>
      addDhcpHost(rich(), { id: '0:3:0:1:52:54:0:0:83:11', ip: 'fd00:83::13' }, { ipIndex: 1 }),
    ).toThrowError("there is an existing dhcp host entry in network 'vnfx-rich' with id '0:3:0:1:52:54:0:0:83:11'")
    // A name already in use is refused by libvirt's own rule.
    expect(() => addDhcpHost(rich(), { name: 'v6host', ip: 'fd00:83::13' }, { ipIndex: 1 })).toThrowError(
      'there is an existing dhcp host entry',
    )
  })

  it("adds and deletes ranges; ranges outside the subnet are refused with libvirt's message", () => {
    let doc = addDhcpRange(rich(), {
      start: '192.168.83.200',
      end: '192.168.83.210',
      lease: { expiry: 0, unit: 'minutes' },
    })
    expect(readNetworkDocument(doc).ips[0]?.dhcp?.ranges.at(-1)).toEqual({
      start: '192.168.83.200',
      end: '192.168.83.210',
      lease: { expiry: 0, unit: 'minutes' },
    })
    doc = deleteDhcpRange(doc, { start: '192.168.83.100', end: '192.168.83.150' })
    expect(readNetworkDocument(doc).ips[0]?.dhcp?.ranges.map((r) => r.start)).toEqual(['192.168.83.200'])
    expect(() => addDhcpRange(rich(), { start: '10.0.0.1', end: '10.0.0.9' })).toThrowError(
      'internal error: range 10.0.0.1 - 10.0.0.9 is not entirely within network 192.168.83.1/24',
    )
  })

  it("refuses a range that leaves the subnet or takes its network or broadcast address, with libvirt's messages", () => {
    expect(() => addDhcpRange(rich(), { start: '192.168.83.200', end: '192.168.84.9' })).toThrowError(
      'is not entirely within network 192.168.83.1/24',
    )
    expect(() => addDhcpRange(rich(), { start: '192.168.83.0', end: '192.168.83.9' })).toThrowError(
      'start of range 192.168.83.0 - 192.168.83.9 in network 192.168.83.1/24 is the network address',
    )
    expect(() => addDhcpRange(rich(), { start: '192.168.83.240', end: '192.168.83.255' })).toThrowError(
      'end of range 192.168.83.240 - 192.168.83.255 in network 192.168.83.1/24 is the broadcast address',
    )
  })

  it('gives the fragment text for virsh net-update', () => {
    expect(dhcpHostFragmentXml({ mac: '52:54:00:00:83:20', name: "o'brien", ip: '192.168.83.20' })).toBe(
      "<host mac='52:54:00:00:83:20' name='o&apos;brien' ip='192.168.83.20'/>",
    )
    expect(dhcpRangeFragmentXml({ start: 'a', end: 'b', lease: { expiry: 30, unit: 'minutes' } })).toBe(
      "<range start='a' end='b'>\n  <lease expiry='30' unit='minutes'/>\n</range>",
    )
  })
})
