import { describe, expect, it } from 'vitest'
import { OperatorError } from '@/lib/core/errors'
import {
  detachAddsOsBoot,
  domainInterfaceElements,
  interfaceByMac,
  interfaceDestination,
  movedInterfaceXml,
} from '@/lib/libvirt-xml/domain-interface'
import { parseXml } from '@/lib/xml/xml-parse'
import { getAttribute } from '@/lib/xml/xml-query'
import type { XmlElement } from '@/lib/xml/xml-tree'
import { lostNodes, sourceOnly, withSourceOf } from '@/lib/test/xml-lost-nodes'

/*
 * Hand-written fixtures (written for this test, in the layout `virsh dumpxml` prints): between them, the interfaces use
 * every child element and attribute that libvirt's formatdomain "Network interfaces" documents, plus a comment and an
 * element and attributes libvirt does not know yet (a newer libvirt's, which a move must pass on untouched).
 */
const guestXml = `<domain type='kvm' id='7'>
  <name>vnd-fixture</name>
  <uuid>6b8f3c52-9d1e-4a7b-8c2f-0e5d4a3b2c1d</uuid>
  <memory unit='KiB'>1048576</memory>
  <vcpu placement='static'>4</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network' trustGuestRxFilters='yes' vnd-future='kept'>
      <mac address='52:54:00:9d:00:01' type='static' check='yes'/>
      <source network='lab-a' portgroup='engineering' portid='5b3dd2b7-4c1e-4d0f-9a8b-7c6d5e4f3a2b' bridge='virbr7'/>
      <vlan trunk='yes'>
        <tag id='42'/>
        <tag id='48' nativeMode='untagged'/>
      </vlan>
      <virtualport type='openvswitch'>
        <parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' profileid='menial'/>
      </virtualport>
      <bandwidth>
        <inbound average='1000' peak='5000' floor='200' burst='1024'/>
        <outbound average='128' peak='256' burst='256'/>
      </bandwidth>
      <port isolated='yes'/>
      <target dev='vnet7' managed='no'/>
      <model type='virtio'/>
      <driver name='vhost' txmode='iothread' ioeventfd='on' event_idx='off' queues='5' rx_queue_size='256' tx_queue_size='256' rss='on' rss_hash_report='on'>
        <host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off' mrg_rxbuf='off'/>
        <guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
      </driver>
      <backend tap='/dev/net/tun' vhost='/dev/vhost-net'/>
      <filterref filter='clean-traffic'>
        <parameter name='IP' value='10.0.0.1'/>
        <parameter name='IP' value='10.0.0.2'/>
      </filterref>
      <tune>
        <sndbuf>1600</sndbuf>
      </tune>
      <teaming type='persistent'/>
      <link state='down'/>
      <mtu size='1400'/>
      <coalesce>
        <rx>
          <frames max='7'/>
        </rx>
      </coalesce>
      <boot order='1' loadparm='NET1'/>
      <!-- pinned by the operator: do not renumber -->
      <vnd-future-element level='3'>
        <detail mode='x'>kept as written</detail>
      </vnd-future-element>
      <alias name='ua-net-rich'/>
      <rom bar='on' file='/usr/share/ipxe/1af41000.rom' enabled='yes'/>
      <acpi index='4'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0' multifunction='on'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:9D:00:02'/>
      <source bridge='br0' vnd-future='1'/>
      <virtualport type='openvswitch'>
        <parameters interfaceid='1c5a7e3f-2b4d-4e6f-8a9b-0c1d2e3f4a5b'/>
      </virtualport>
      <target dev='vnd-tap2'/>
      <guest dev='eth7' actual='eth7a'/>
      <ip address='192.168.122.5' prefix='24'/>
      <ip address='2001:db8::5' family='ipv6' prefix='64' peer='2001:db8::1'/>
      <route family='ipv4' address='192.168.123.0' prefix='24' gateway='192.168.122.1' metric='1'/>
      <script path='/etc/qemu-ifup-vnd'/>
      <downscript path='/etc/qemu-ifdown-vnd'/>
      <model type='e1000e'/>
      <mtu size='9000'/>
      <link state='up'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <interface type='direct'>
      <mac address='52:54:00:9d:00:03'/>
      <source dev='eth0' mode='vepa'/>
      <virtualport type='802.1Qbg'>
        <parameters managerid='11' typeid='1193047' typeidversion='2' instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/>
      </virtualport>
      <model type='virtio'/>
    </interface>
    <interface type='hostdev' managed='yes'>
      <mac address='52:54:00:9d:00:04'/>
      <driver name='vfio'/>
      <source>
        <address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x2'/>
      </source>
      <vlan>
        <tag id='42'/>
      </vlan>
      <teaming type='transient' persistent='ua-net-rich'/>
    </interface>
    <interface type='user'>
      <mac address='52:54:00:9d:00:05'/>
      <source dev='eth0'/>
      <backend type='passt' logFile='/var/log/passt.log'/>
      <portForward proto='tcp' address='2001:db8:ac10:fd01::1:10' dev='eth0'>
        <range start='22' to='2022'/>
        <range start='1000' end='1050'/>
        <range start='1020' exclude='yes'/>
      </portForward>
      <model type='virtio'/>
    </interface>
    <interface type='vhostuser'>
      <mac address='52:54:00:9d:00:06'/>
      <source type='unix' path='/run/vnd/vhost.sock' mode='server'>
        <reconnect enabled='yes' timeout='10'/>
      </source>
      <model type='virtio'/>
    </interface>
    <interface type='udp'>
      <mac address='52:54:00:9d:00:07'/>
      <source address='192.168.0.1' port='5555'>
        <local address='127.0.0.1' port='5556'/>
      </source>
    </interface>
    <interface type='network'>
      <source network='lab-a'/>
      <model type='rtl8139'/>
    </interface>
  </devices>
</domain>
`

const rich = '52:54:00:9d:00:01'
const bridged = '52:54:00:9d:00:02'
const tree = (xml: string): XmlElement => parseXml(xml).root

/** The element's text cut from the document by hand: from its '<interface' to its '</interface>'. */
function sliceOf(document: string, mac: string): string {
  const at = document.toLowerCase().indexOf(`<mac address='${mac.toLowerCase()}'`)
  const start = document.lastIndexOf('<interface', at)
  const end = document.indexOf('</interface>', at) + '</interface>'.length
  return document.slice(start, end)
}

/** Asserts that `after` is `before` with only its type and <source> changed, and returns that new <source>. */
function expectOnlySourceChanged(beforeXml: string, afterXml: string): XmlElement {
  const [before, after] = [tree(beforeXml), tree(afterXml)]
  expect(lostNodes(before, after, sourceOnly)).toEqual([])
  expect(lostNodes(after, before, sourceOnly)).toEqual([])
  expect(after).toEqual(withSourceOf(before, after))
  return after.children.find((c): c is XmlElement => c.type === 'element' && c.name === 'source')!
}

describe('domainInterfaceElements / interfaceByMac', () => {
  it('lists every interface with its type and MAC, and hands each back exactly as written', () => {
    const nics = domainInterfaceElements(guestXml)
    expect(nics.map((n) => [n.type, n.mac])).toEqual([
      ['network', rich],
      ['bridge', bridged],
      ['direct', '52:54:00:9d:00:03'],
      ['hostdev', '52:54:00:9d:00:04'],
      ['user', '52:54:00:9d:00:05'],
      ['vhostuser', '52:54:00:9d:00:06'],
      ['udp', '52:54:00:9d:00:07'],
      ['network', undefined],
    ])
    for (const nic of nics.slice(0, -1)) expect(nic.xml).toBe(sliceOf(guestXml, nic.mac!))
  })

  it('finds an interface by MAC whatever its case, and refuses a MAC two interfaces share', () => {
    expect(interfaceByMac(guestXml, '52:54:00:9D:00:01')?.xml).toBe(sliceOf(guestXml, rich))
    expect(interfaceByMac(guestXml, bridged)?.type).toBe('bridge')
    expect(interfaceByMac(guestXml, '52:54:00:9d:00:99')).toBeUndefined()
    const twice = guestXml.replace("'52:54:00:9d:00:03'", `'${rich}'`)
    expect(() => interfaceByMac(twice, rich)).toThrow(OperatorError)
  })

  it('keeps CRLF documents and entity references as written', () => {
    const crlf = `<domain>\r\n  <devices>\r\n    <interface type='network'>\r\n      <mac address='52:54:00:00:00:0a'/>\r\n      <source network='a&amp;b'/>\r\n    </interface>\r\n  </devices>\r\n</domain>\r\n`
    expect(interfaceByMac(crlf, '52:54:00:00:00:0a')?.xml).toBe(
      `<interface type='network'>\n      <mac address='52:54:00:00:00:0a'/>\n      <source network='a&amp;b'/>\n    </interface>`,
    )
  })
})

describe('detachAddsOsBoot', () => {
  it("is true for the definition's only device with a boot order, false otherwise", () => {
    expect(detachAddsOsBoot(guestXml, rich)).toBe(true)
    expect(detachAddsOsBoot(guestXml, bridged)).toBe(false)
    const withDisk = guestXml.replace(
      '<emulator>/usr/bin/qemu-system-x86_64</emulator>',
      "<emulator>/usr/bin/qemu-system-x86_64</emulator>\n    <disk type='file' device='disk'><source file='/v.img'/><target dev='vda'/><boot order='2'/></disk>",
    )
    expect(detachAddsOsBoot(withDisk, rich)).toBe(false)
  })
})

describe('movedInterfaceXml', () => {
  const richXml = sliceOf(guestXml, rich)
  const bridgedXml = sliceOf(guestXml, bridged)

  it('moves a network interface to another network: only the network name changes, every other setting stays in place', () => {
    const moved = movedInterfaceXml(richXml, { type: 'network', network: 'lab-b' })
    const source = expectOnlySourceChanged(richXml, moved)
    expect(source.attributes).toEqual([
      { name: 'network', value: 'lab-b' },
      { name: 'portgroup', value: 'engineering' },
      { name: 'portid', value: '5b3dd2b7-4c1e-4d0f-9a8b-7c6d5e4f3a2b' },
      { name: 'bridge', value: 'virbr7' },
    ])
    expect(getAttribute(tree(moved), 'type')).toBe('network')
    // The same element, rendered: line for line what was read, but for the one attribute.
    const dedent = (xml: string) => xml.replace(/\n {4}/g, '\n')
    expect(moved).toBe(`${dedent(richXml).replace("network='lab-a'", "network='lab-b'")}\n`)
  })

  it('sets or drops the portgroup only when asked', () => {
    const into = expectOnlySourceChanged(
      richXml,
      movedInterfaceXml(richXml, { type: 'network', network: 'lab-b', portgroup: 'sales' }),
    )
    expect(getAttribute(into, 'portgroup')).toBe('sales')
    const without = expectOnlySourceChanged(
      richXml,
      movedInterfaceXml(richXml, { type: 'network', network: 'lab-b', portgroup: null }),
    )
    expect(without.attributes.map((a) => a.name)).toEqual(['network', 'portid', 'bridge'])
  })

  it('moves a network interface onto a bridge: the type becomes bridge and the source names the bridge', () => {
    const moved = movedInterfaceXml(richXml, { type: 'bridge', bridge: 'br9' })
    const source = expectOnlySourceChanged(richXml, moved)
    expect(getAttribute(tree(moved), 'type')).toBe('bridge')
    expect(tree(moved).attributes.map((a) => a.name)).toEqual(['type', 'trustGuestRxFilters', 'vnd-future'])
    // network, portgroup and the network's port only mean something on a network.
    expect(source.attributes).toEqual([{ name: 'bridge', value: 'br9' }])
  })

  it('moves a bridge interface onto a network and to another bridge, keeping unknown source attributes', () => {
    const toNetwork = movedInterfaceXml(bridgedXml, { type: 'network', network: 'lab-b', portgroup: 'sales' })
    expect(expectOnlySourceChanged(bridgedXml, toNetwork).attributes).toEqual([
      { name: 'network', value: 'lab-b' },
      { name: 'portgroup', value: 'sales' },
      { name: 'vnd-future', value: '1' },
    ])
    expect(getAttribute(tree(toNetwork), 'type')).toBe('network')
    const toBridge = movedInterfaceXml(bridgedXml, { type: 'bridge', bridge: 'br1' })
    expect(expectOnlySourceChanged(bridgedXml, toBridge).attributes).toEqual([
      { name: 'bridge', value: 'br1' },
      { name: 'vnd-future', value: '1' },
    ])
  })

  it('moving there and back gives the element that was read', () => {
    const there = movedInterfaceXml(richXml, { type: 'network', network: 'lab-b' })
    expect(tree(movedInterfaceXml(there, { type: 'network', network: 'lab-a' }))).toEqual(tree(richXml))
  })

  it('refuses interfaces that are not plugged into a network or bridge', () => {
    for (const mac of [
      '52:54:00:9d:00:03',
      '52:54:00:9d:00:04',
      '52:54:00:9d:00:05',
      '52:54:00:9d:00:06',
      '52:54:00:9d:00:07',
    ])
      expect(() => movedInterfaceXml(sliceOf(guestXml, mac), { type: 'network', network: 'lab-b' })).toThrow(
        /only network and bridge interfaces/,
      )
  })

  it('gives an interface without a <source> one, right after its <mac>', () => {
    const bare = `<interface type='network'>\n  <mac address='52:54:00:00:00:0b'/>\n  <model type='virtio'/>\n</interface>`
    expect(movedInterfaceXml(bare, { type: 'network', network: 'lab-b' })).toBe(
      `<interface type='network'>\n  <mac address='52:54:00:00:00:0b'/>\n  <source network='lab-b'/>\n  <model type='virtio'/>\n</interface>\n`,
    )
  })

  it('names where an interface is plugged', () => {
    expect(interfaceDestination(richXml)).toEqual({ type: 'network', network: 'lab-a' })
    expect(interfaceDestination(bridgedXml)).toEqual({ type: 'bridge', bridge: 'br0' })
    expect(interfaceDestination(sliceOf(guestXml, '52:54:00:9d:00:03'))).toBeUndefined()
  })
})
