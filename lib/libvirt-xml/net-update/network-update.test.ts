import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { readNetworkDocument } from '@/lib/libvirt-xml/network-parse'
import { applyNetworkUpdate } from '@/lib/libvirt-xml/net-update/network-update'
import { NetworkUpdateError } from '@/lib/libvirt-xml/net-update/network-update-types'
import { parseXml } from '@/lib/xml/xml-parse'
import { renderXml } from '@/lib/xml/xml-render'
import { element, type XmlDocument } from '@/lib/xml/xml-tree'

const net = (body: string) => parseXml(`<network>\n  <name>t</name>\n${body}</network>\n`)
// A full NAT network as libvirt 9.0 wrote it: DHCP ranges and hosts with leases, DNS records, several <ip>.
const natFull = () => parseXml(readFixture('recorded', 'libvirt9-nat-full.xml'))

describe('applyNetworkUpdate', () => {
  it('does not modify the document it is given', () => {
    const doc = natFull()
    const before = renderXml(doc)
    const result = applyNetworkUpdate(doc, {
      command: 'delete',
      section: 'ip-dhcp-range',
      xml: "<range start='203.0.113.150' end='203.0.113.199'/>",
    })
    expect(renderXml(result)).not.toBe(before)
    expect(renderXml(doc)).toBe(before)
  })

  it('accepts a fragment element as well as XML text, and "add" as add-last', () => {
    const doc = natFull()
    const viaText = applyNetworkUpdate(doc, {
      command: 'add',
      section: 'ip-dhcp-host',
      xml: "<host mac='52:54:00:00:00:01' ip='203.0.113.99'/>",
    })
    const viaElement = applyNetworkUpdate(doc, {
      command: 'add-last',
      section: 'ip-dhcp-host',
      xml: element('host', { mac: '52:54:00:00:00:01', ip: '203.0.113.99' }),
    })
    expect(viaElement).toEqual(viaText)
    expect(readNetworkDocument(viaText).ips[0]?.dhcp?.hosts.at(-1)).toEqual({
      mac: '52:54:00:00:00:01',
      ip: '203.0.113.99',
    })
  })

  it("writes the changed entry in libvirt's canonical form (attribute order, IP spelling, unknown attributes dropped)", () => {
    const result = applyNetworkUpdate(natFull(), {
      command: 'add-last',
      section: 'ip-dhcp-host',
      xml: "<host ip='203.0.113.77' junk='x' name='n' mac='52:54:00:AA:00:01'/>",
    })
    expect(renderXml(result)).toContain("<host mac='52:54:00:AA:00:01' name='n' ip='203.0.113.77'/>")
    const v6 = applyNetworkUpdate(natFull(), {
      command: 'add-last',
      section: 'ip-dhcp-host',
      parentIndex: 2,
      xml: "<host name='v6' ip='2001:DB8:A1:0:0::50'/>",
    })
    expect(renderXml(v6)).toContain("<host name='v6' ip='2001:db8:a1::50'/>")
  })

  it('refuses sections libvirt never updates', () => {
    const doc = natFull()
    expect(() =>
      applyNetworkUpdate(doc, { command: 'modify', section: 'forward-pf', xml: "<pf dev='x'/>" }),
    ).toThrowError("Operation not supported: can't update 'forward pf' section of network 'vnfix-nat'")
    expect(() =>
      applyNetworkUpdate(doc, { command: 'add-last', section: 'domain', xml: "<domain name='x'/>" }),
    ).toThrowError("can't update 'domain' section of network 'vnfix-nat'")
  })

  it('reports a malformed fragment like libvirt (network_update_xml:LINE: ...)', () => {
    const attempt = () => applyNetworkUpdate(natFull(), { command: 'add-last', section: 'ip-dhcp-host', xml: '<host' })
    expect(attempt).toThrowError(NetworkUpdateError)
    expect(attempt).toThrowError(/^network_update_xml:1: /)
  })

  describe('which <ip> a DHCP change goes to', () => {
    const doc = net(
      "  <ip address='10.0.0.1' prefix='24'>\n  </ip>\n  <ip family='ipv6' address='fd00::1' prefix='64'>\n    <dhcp>\n      <range start='fd00::10' end='fd00::20'/>\n    </dhcp>\n  </ip>\n",
    )

    it('without a parent index: the <ip> that already serves DHCP, whatever its family', () => {
      const attempt = () =>
        applyNetworkUpdate(doc, {
          command: 'add-last',
          section: 'ip-dhcp-range',
          xml: "<range start='10.0.0.10' end='10.0.0.20'/>",
        })
      expect(attempt).toThrowError(
        'internal error: mismatch of address family in range 10.0.0.10 - 10.0.0.20 for network fd00::1',
      )
    })

    it('with a parent index: that <ip>, creating its <dhcp>', () => {
      const result = applyNetworkUpdate(doc, {
        command: 'add-last',
        section: 'ip-dhcp-range',
        parentIndex: 0,
        xml: "<range start='10.0.0.10' end='10.0.0.20'/>",
      })
      expect(readNetworkDocument(result).ips[0]?.dhcp?.ranges).toEqual([{ start: '10.0.0.10', end: '10.0.0.20' }])
    })

    it('refuses DHCP on a second <ip> of the same family', () => {
      const two = net(
        "  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <range start='10.0.0.10' end='10.0.0.20'/>\n    </dhcp>\n  </ip>\n  <ip address='10.0.1.1' prefix='24'/>\n",
      )
      expect(() =>
        applyNetworkUpdate(two, {
          command: 'add-last',
          section: 'ip-dhcp-host',
          parentIndex: 1,
          xml: "<host mac='52:54:00:00:00:01' ip='10.0.1.5'/>",
        }),
      ).toThrowError('dhcp is supported only for a single IPv4 address on each network')
    })
  })

  it('puts a new <dhcp> after <tftp> and a new <dns> before <ip>, where libvirt writes them', () => {
    const doc = net("  <bridge name='b'/>\n  <ip address='10.0.0.1' prefix='24'>\n    <tftp root='/t'/>\n  </ip>\n")
    let result: XmlDocument = applyNetworkUpdate(doc, {
      command: 'add-last',
      section: 'ip-dhcp-host',
      xml: "<host mac='52:54:00:00:00:01' ip='10.0.0.5'/>",
    })
    result = applyNetworkUpdate(result, { command: 'add-last', section: 'dns-txt', xml: "<txt name='a' value='b'/>" })
    expect(renderXml(result)).toBe(
      "<network>\n  <name>t</name>\n  <bridge name='b'/>\n  <dns>\n    <txt name='a' value='b'/>\n  </dns>\n  <ip address='10.0.0.1' prefix='24'>\n    <tftp root='/t'/>\n    <dhcp>\n      <host mac='52:54:00:00:00:01' ip='10.0.0.5'/>\n    </dhcp>\n  </ip>\n</network>\n",
    )
  })

  it('drops <dhcp> (with its <bootp>, as libvirt does) once the last range and host are gone, and an empty <dns>', () => {
    const doc = net(
      "  <dns>\n    <txt name='a' value='b'/>\n  </dns>\n  <ip address='10.0.0.1' prefix='24'>\n    <dhcp>\n      <range start='10.0.0.10' end='10.0.0.20'/>\n      <bootp file='pxe'/>\n    </dhcp>\n  </ip>\n",
    )
    let result = applyNetworkUpdate(doc, {
      command: 'delete',
      section: 'ip-dhcp-range',
      xml: "<range start='10.0.0.10' end='10.0.0.20'/>",
    })
    result = applyNetworkUpdate(result, { command: 'delete', section: 'dns-txt', xml: "<txt name='a'/>" })
    expect(renderXml(result)).toBe("<network>\n  <name>t</name>\n  <ip address='10.0.0.1' prefix='24'/>\n</network>\n")
  })

  it('refuses to delete a forward interface that guests are using (live XML)', () => {
    const doc = net(
      "  <forward mode='bridge'>\n    <interface dev='eth1' connections='2'/>\n    <interface dev='eth2'/>\n  </forward>\n",
    )
    expect(() =>
      applyNetworkUpdate(doc, { command: 'delete', section: 'forward-interface', xml: "<interface dev='eth1'/>" }),
    ).toThrowError("unable to delete interface 'eth1' in network 't'. It is currently being used by 2 domains.")
    const result = applyNetworkUpdate(doc, {
      command: 'add-first',
      section: 'forward-interface',
      xml: "<interface dev='eth0'/>",
    })
    expect(renderXml(result)).toContain("<forward dev='eth0' mode='bridge'>")
  })

  it('keeps content it does not model, e.g. metadata and dnsmasq options', () => {
    const recorded = readFixture('recorded', 'libvirt9-metadata-ns.xml').replace(/\n+$/, '\n')
    const result = applyNetworkUpdate(parseXml(recorded), {
      command: 'add-last',
      section: 'dns-host',
      xml: "<host ip='198.18.116.9'><hostname>h</hostname></host>",
    })
    const xml = renderXml(result)
    // Only the new <dns> differs; libvirt puts it after <mac>, before <ip>; the namespaced options stay last.
    expect(xml).toBe(
      recorded.replace(
        '  <ip ',
        "  <dns>\n    <host ip='198.18.116.9'>\n      <hostname>h</hostname>\n    </host>\n  </dns>\n  <ip ",
      ),
    )
  })

  it('keeps comments, unknown elements and attributes, and attribute order around the change', () => {
    const doc = parseXml(readFixture('networks', 'odd-formatting.xml'))
    const result = applyNetworkUpdate(doc, {
      command: 'add-last',
      section: 'ip-dhcp-host',
      xml: "<host mac='52:54:00:5a:20:01' ip='198.18.121.30'/>",
    })
    const before = renderXml(doc)
    expect(renderXml(result)).toBe(
      before.replace(
        "      <range end='198.18.121.20' start='198.18.121.10'/>\n",
        "      <range end='198.18.121.20' start='198.18.121.10'/>\n      <host mac='52:54:00:5a:20:01' ip='198.18.121.30'/>\n",
      ),
    )
  })
})

/*
 * modify of DNS records, which libvirt 9.0 refuses (recorded: libvirt9-net-update-errors case-01..03)
 * and libvirt 10.6+ performs. Not recordable on this project's 9.0 host; the expectations follow the
 * rules network-update-dns.ts takes from upstream (a host is found by its IP, a TXT record by its
 * name, an SRV record by domain, service, protocol and target), which
 * network-update-mapping.conformance.ts checks against upstream's own results when the corpus is present.
 */
describe('modify of DNS records (libvirt ≥ 10.6, dnsRecordModify)', () => {
  const NEWER = { dnsRecordModify: true }
  const dns = (doc: XmlDocument) => readNetworkDocument(doc).dns

  it('is refused without the option, as libvirt 9.0 does', () => {
    expect(() =>
      applyNetworkUpdate(natFull(), { command: 'modify', section: 'dns-txt', xml: "<txt name='example' value='v2'/>" }),
    ).toThrowError('Operation not supported: DNS TXT records cannot be modified, only added or deleted')
  })

  it('dns-host: replaces the hostnames of the host with that IP, in place', () => {
    const result = applyNetworkUpdate(
      natFull(),
      {
        command: 'modify',
        section: 'dns-host',
        xml: "<host ip='203.0.113.5'><hostname>renamed</hostname><hostname>again</hostname></host>",
      },
      NEWER,
    )
    expect(dns(result)?.hosts).toEqual([
      { ip: '203.0.113.5', hostnames: ['renamed', 'again'] },
      { ip: '2001:db8:a1::5', hostnames: ['alpha6'] },
    ])
    expect(() =>
      applyNetworkUpdate(
        natFull(),
        { command: 'modify', section: 'dns-host', xml: "<host ip='203.0.113.6'><hostname>x</hostname></host>" },
        NEWER,
      ),
    ).toThrowError("couldn't locate a matching DNS HOST record in network vnfix-nat")
    expect(() =>
      applyNetworkUpdate(
        natFull(),
        { command: 'modify', section: 'dns-host', xml: "<host ip='203.0.113.500'><hostname>x</hostname></host>" },
        NEWER,
      ),
    ).toThrowError("Invalid IP address in network 'vnfix-nat' DNS HOST record")
  })

  it('dns-txt: replaces the value of the record with that name', () => {
    const result = applyNetworkUpdate(
      natFull(),
      { command: 'modify', section: 'dns-txt', xml: "<txt name='example' value='changed'/>" },
      NEWER,
    )
    expect(dns(result)?.txt).toEqual([{ name: 'example', value: 'changed' }])
    expect(() =>
      applyNetworkUpdate(
        natFull(),
        { command: 'modify', section: 'dns-txt', xml: "<txt name='other' value='x'/>" },
        NEWER,
      ),
    ).toThrowError("couldn't locate a matching DNS TXT record in network vnfix-nat")
  })

  it('dns-srv: replaces port, priority and weight of the record with the same domain, service, protocol and target', () => {
    const xml =
      "<srv service='ldap' protocol='tcp' domain='fix.example' target='dir.fix.example' port='636' priority='1' weight='2'/>"
    const result = applyNetworkUpdate(natFull(), { command: 'modify', section: 'dns-srv', xml }, NEWER)
    expect(dns(result)?.srv).toEqual([
      {
        service: 'ldap',
        protocol: 'tcp',
        domain: 'fix.example',
        target: 'dir.fix.example',
        port: 636,
        priority: 1,
        weight: 2,
      },
    ])
    const elsewhere = xml.replace("domain='fix.example'", "domain='other.example'")
    expect(() =>
      applyNetworkUpdate(natFull(), { command: 'modify', section: 'dns-srv', xml: elsewhere }, NEWER),
    ).toThrowError("couldn't locate a matching DNS SRV record in network vnfix-nat")
  })
})
