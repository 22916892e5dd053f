import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseNetworkXml, readNetworkDocument } from '@/lib/libvirt-xml/network-parse'
import { renderNetworkXml } from '@/lib/libvirt-xml/network-render'
import { parseDnsmasqHostsfile } from '@/lib/host-output/dnsmasq-hostsfile'
import { parseNetDhcpLeases } from '@/lib/host-output/virsh-net-dhcp-leases'
import { hostEntries, validateEntry, type DhcpEntry } from '@/lib/dhcp/entries'
import { parseMappingCsv } from '@/lib/dhcp/csv'
import { diffEntries } from '@/lib/dhcp/diff'
import { rewriteHosts } from '@/lib/dhcp/rewrite'
import { rewriteStatus, type LiveStatus } from '@/lib/dhcp/live-status'
import { applyOps, planDhcpChanges } from '@/lib/dhcp/plans'
import type { NetworkDhcpState } from '@/lib/dhcp/host-state'
import { parseXml } from '@/lib/xml/xml-parse'

const net = parseNetworkXml(
  `<network><name>t</name><ip address='192.168.50.1' netmask='255.255.255.0'><dhcp><range start='192.168.50.100' end='192.168.50.200'/><host mac='52:54:00:00:00:01' name='a' ip='192.168.50.10'/><host mac='52:54:00:00:00:02' ip='192.168.50.11'><lease expiry='1' unit='hours'/></host></dhcp></ip><ip family='ipv6' address='fd00:50::1' prefix='64'><dhcp><host id='0:3:0:1:52:54:0:0:0:9' ip='fd00:50::9'/></dhcp></ip></network>`,
)
const others = hostEntries(net)
const v4 = (mac: string, ip: string, name?: string): DhcpEntry => ({ family: 'ipv4', mac, ip, ...(name && { name }) })

describe('validating a static host', () => {
  it('accepts a unicast MAC with an address inside the subnet, normalizing spelling', () => {
    expect(validateEntry({ mac: '52:54:00:AB:0:1', ip: '192.168.50.20', name: 'web-1.lab' }, net, others)).toEqual({
      entry: { family: 'ipv4', mac: '52:54:00:ab:00:01', ip: '192.168.50.20', name: 'web-1.lab' },
    })
  })

  it.each([
    [{ mac: 'nope', ip: '192.168.50.20' }, 'mac', 'is not a MAC address'],
    [{ mac: '01:00:5e:00:00:01', ip: '192.168.50.20' }, 'mac', 'multicast'],
    [{ mac: '', ip: '192.168.50.20' }, 'mac', 'Enter the guest interface MAC'],
    [{ mac: '52:54:00:00:00:09', ip: '10.0.0.5' }, 'ip', "outside the network's subnet 192.168.50.0/24"],
    [{ mac: '52:54:00:00:00:09', ip: '192.168.50.0' }, 'ip', 'network address'],
    [{ mac: '52:54:00:00:00:09', ip: '192.168.50.255' }, 'ip', 'broadcast address'],
    [{ mac: '52:54:00:00:00:09', ip: '192.168.50.1' }, 'ip', 'gateway'],
    [{ mac: '52:54:00:00:00:09', ip: '192.168.50.300' }, 'ip', 'is not an IP address'],
    [{ mac: '52:54:00:00:00:09', ip: '192.168.50.20', name: '-bad' }, 'name', 'is not a host name'],
    [{ mac: '52:54:00:00:00:01', ip: '192.168.50.20' }, 'mac', 'already has an entry'],
    [{ mac: '52:54:00:00:00:09', ip: '192.168.50.11' }, 'ip', 'already pinned to 52:54:00:00:00:02'],
    [{ mac: '52:54:00:00:00:09', ip: '192.168.50.20', name: 'a' }, 'name', 'already used'],
    [{ mac: '52:54:00:00:00:09', ip: 'fd00:50::20' }, 'mac', 'DUID or name'],
    [{ id: '0:3:0:1:52:54:0:0:0:9', ip: 'fd00:50::21' }, 'id', 'already has an entry'],
  ])('refuses %o with an error on %s', (input, field, message) => {
    const result = validateEntry(input, net, others)
    expect(result).toHaveProperty(['errors', field], expect.arrayContaining([expect.stringContaining(message)]))
  })

  it('accepts a DHCPv6 host by DUID inside the IPv6 prefix', () => {
    expect(validateEntry({ id: '0:3:0:1:AA:BB', ip: 'fd00:50::30' }, net, others)).toEqual({
      entry: { family: 'ipv6', id: '0:3:0:1:aa:bb', ip: 'fd00:50::30' },
    })
  })
})

describe('pasted CSV', () => {
  it('reads mac,ip[,name] and duid,ip[,name] lines, skipping a header, blanks and comments, and reports malformed lines', () => {
    expect(
      parseMappingCsv(
        'mac,ip,name\n52:54:00:00:00:05, 192.168.50.5 ,five\n\n# note\n52:54:00:00:00:06,192.168.50.6\nonly-one-field\na,b,c,d\n00:01:00:01:2c:1f:aa:bb,fd00::5,six\n,fd00::7,seven',
      ),
    ).toEqual({
      rows: [
        { line: 2, client: '52:54:00:00:00:05', ip: '192.168.50.5', name: 'five' },
        { line: 5, client: '52:54:00:00:00:06', ip: '192.168.50.6', name: '' },
        { line: 8, client: '00:01:00:01:2c:1f:aa:bb', ip: 'fd00::5', name: 'six' },
        { line: 9, client: '', ip: 'fd00::7', name: 'seven' },
      ],
      errors: [
        { line: 6, message: 'expected "mac,ip,name" or "duid,ip,name" (name optional), got 1 field' },
        { line: 7, message: 'expected "mac,ip,name" or "duid,ip,name" (name optional), got 4 fields' },
      ],
    })
  })
})

describe('diff and bulk rewrite', () => {
  const actual = [
    v4('52:54:00:00:00:01', '192.168.50.10', 'a'),
    v4('52:54:00:00:00:02', '192.168.50.11'),
    v4('52:54:00:00:00:03', '192.168.50.12'),
  ]

  it('orders deletes, modifies, adds; leaves unmanaged entries alone; turns swaps into delete + add', () => {
    const desired = [
      v4('52:54:00:00:00:01', '192.168.50.11', 'a'),
      v4('52:54:00:00:00:02', '192.168.50.10'),
      v4('52:54:00:00:00:04', '192.168.50.14'),
    ]
    const ops = diffEntries(desired, actual)
    expect(ops.map((op) => `${op.kind} ${op.kind === 'delete' ? op.old.mac : op.entry.mac}`)).toEqual([
      'delete 52:54:00:00:00:01',
      'delete 52:54:00:00:00:02',
      'add 52:54:00:00:00:01',
      'add 52:54:00:00:00:02',
      'add 52:54:00:00:00:04',
    ])
    expect(
      diffEntries([v4('52:54:00:00:00:03', '192.168.50.13')], actual, ['mac:52:54:00:00:00:02']).map((op) => op.kind),
    ).toEqual(['delete', 'modify'])
    expect(diffEntries(actual, actual)).toEqual([])
  })

  it('rewrites the hosts in one pass, keeping untouched elements (and their <lease>) as they were', () => {
    const doc = rewriteHosts(
      net.doc,
      diffEntries(
        [v4('52:54:00:00:00:01', '192.168.50.40', 'a'), v4('52:54:00:00:00:05', '192.168.50.50')],
        hostEntries(net),
        ['mac:52:54:00:00:00:03'],
      ),
    )
    const hosts = readNetworkDocument(doc).ips[0]?.dhcp?.hosts
    expect(hosts).toEqual([
      { mac: '52:54:00:00:00:01', name: 'a', ip: '192.168.50.40' },
      { mac: '52:54:00:00:00:02', ip: '192.168.50.11', lease: { expiry: 1, unit: 'hours' } },
      { mac: '52:54:00:00:00:05', ip: '192.168.50.50' },
    ])
    expect(renderNetworkXml(doc)).toContain("<host id='0:3:0:1:52:54:0:0:0:9' ip='fd00:50::9'/>")
  })

  it("adds hundreds of hosts in one pass exactly where net-update's add-last puts them one by one", () => {
    const formatted = parseNetworkXml(
      `<network>\n  <name>t</name>\n  <ip address='10.9.0.1' prefix='16'>\n    <dhcp>\n      <range start='10.9.200.1' end='10.9.200.200'/>\n      <host mac='52:54:00:00:00:01' ip='10.9.0.10'/>\n      <bootp file='pxelinux.0'/>\n    </dhcp>\n  </ip>\n  <ip family='ipv6' address='fd00:9::1' prefix='64'/>\n</network>\n`,
    )
    const added = [
      ...Array.from({ length: 300 }, (_, i) =>
        v4(`52:54:00:00:${(i >> 8) + 1}:${(i & 255).toString(16)}`, `10.9.${1 + (i >> 8)}.${i & 255}`),
      ),
      { family: 'ipv6' as const, id: '0:3:0:1:52:54:0:0:0:1', ip: 'fd00:9::10' },
      { family: 'ipv6' as const, id: '0:3:0:1:52:54:0:0:0:2', ip: 'fd00:9::11' },
    ].map((entry) => ({ kind: 'add' as const, entry }))
    const oneByOne = renderNetworkXml(applyOps(formatted.doc, formatted, added))
    expect(renderNetworkXml(rewriteHosts(formatted.doc, added))).toBe(oneByOne)
    expect(oneByOne.match(/<host /g)).toHaveLength(303)
    expect(oneByOne).toMatch(/ip='10\.9\.2\.43'\/>\s*<bootp /)
  })

  it("rewrites the <network> inside libvirt's status file and keeps its bookkeeping", () => {
    const status = parseXml(
      `<!--\nWARNING\n-->\n<networkstatus>\n  <class_id bitmap='0-2'/>\n  <floor sum='0'/>\n  ${renderNetworkXml(net.doc)}</networkstatus>\n`,
    )
    const text = rewriteStatus(status, (doc, _d, entries) =>
      rewriteHosts(doc, diffEntries([...entries, v4('52:54:00:00:00:07', '192.168.50.70')], entries)),
    )
    expect(text).toContain("<class_id bitmap='0-2'/>")
    expect(text).toContain('WARNING')
    expect(text).toContain("<host mac='52:54:00:00:00:07' ip='192.168.50.70'/>")
    expect(text.match(/<host /g)).toHaveLength(4)
  })
})

describe('what the host reports', () => {
  it('reads the hostsfile libvirt writes for these entries and the lease table', () => {
    expect(parseDnsmasqHostsfile('52:54:00:00:00:01,192.168.50.10,a\n52:54:00:00:00:02,192.168.50.11,1h\n')).toEqual([
      { mac: '52:54:00:00:00:01', id: null, name: 'a', ip: '192.168.50.10', family: 'ipv4', leaseTime: null },
      { mac: '52:54:00:00:00:02', id: null, name: null, ip: '192.168.50.11', family: 'ipv4', leaseTime: '1h' },
    ])
    expect(
      parseNetDhcpLeases(readFixture('recorded', 'virsh-net-dhcp-leases.txt')).map((l) => `${l.mac} ${l.ip}`),
    ).toEqual(['52:54:00:77:0a:01 192.168.122.45', '52:54:00:77:0a:02 192.168.122.46'])
  })
})

describe('choosing between one reload and per-entry net-update', () => {
  const xml = `<network><name>t</name><forward mode='nat'/><bridge name='vbt0'/><ip address='10.9.0.1' prefix='16'><dhcp><range start='10.9.200.1' end='10.9.200.200'/></dhcp></ip></network>`
  const definitionSide = () => {
    const definition = parseNetworkXml(xml)
    return { xml, definition, entries: hostEntries(definition) }
  }
  const state: NetworkDhcpState = {
    name: 't',
    active: true,
    persistent: true,
    autostart: false,
    definition: definitionSide().definition,
    live: definitionSide(),
    config: definitionSide(),
    leases: [],
  }
  const status = `<networkstatus><class_id bitmap='0-2'/>${xml}</networkstatus>`
  const live = (activeNetworks: number): LiveStatus => ({
    path: '/run/libvirt/network/t.xml',
    sha256: 'x',
    content: status,
    doc: parseXml(status, 'status'),
    driverPid: 1,
    hostsfile: '/h',
    activeNetworks,
  })
  const desired = Array.from({ length: 12 }, (_, i): DhcpEntry => ({
    family: 'ipv4',
    mac: `52:54:00:00:01:${(i + 16).toString(16)}`,
    ip: `10.9.1.${i + 1}`,
  }))

  it('reloads when the changes outnumber the running networks whose firewall a reload refreshes', () => {
    const plan = planDhcpChanges(state, desired, [], { live: live(3) })
    expect(plan.mode).toBe('bulk')
    expect(plan.plan.steps.map((s) => String(s.command))).toEqual([
      expect.stringContaining('net-define'),
      expect.stringContaining('kill -HUP 1'),
    ])
  })

  it("waits for the reload with the shell's own test every 10 ms, not a find process every 100 ms", () => {
    const reload = String(planDhcpChanges(state, desired, [], { live: live(3) }).plan.steps.at(-1)!.command)
    expect(reload).toContain('until [ "$h" -nt "$m" ]')
    expect(reload).toContain('sleep 0.01;')
    expect(reload).not.toContain('find ')
  })

  it('uses net-update when a reload would cost more, and says why; an explicit bulk request still reloads', () => {
    const plan = planDhcpChanges(state, desired, [], { live: live(40) })
    expect(plan).toMatchObject({ mode: 'net-update', note: expect.stringContaining('40 running networks') })
    expect(plan.plan.steps).toHaveLength(12)
    expect(planDhcpChanges(state, desired, [], { strategy: 'bulk', live: live(40) }).mode).toBe('bulk')
  })
})
