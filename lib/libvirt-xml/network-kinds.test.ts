import { describe, expect, it } from 'vitest'
import { buildNetworkSpecXml } from '@/lib/libvirt-xml/network-kinds'

describe('new networks of every kind', () => {
  it('shapes an isolated dual-stack network with DHCPv6, DNS and MTU the way libvirt formats it', () => {
    expect(
      buildNetworkSpecXml({
        name: 'lab6',
        kind: 'isolated',
        bridge: 'virbr9',
        mtu: 9000,
        domain: { name: 'lab.internal', localOnly: true },
        forwarders: ['9.9.9.9'],
        dnsHosts: [{ ip: '10.1.2.5', names: ['www', 'www.lab.internal'] }],
        ipv4: { address: '10.1.2.1', prefix: 24, dhcp: { start: '10.1.2.2', end: '10.1.2.254' } },
        ipv6: { address: 'fd00:1::1', prefix: 64, dhcp: { start: 'fd00:1::100', end: 'fd00:1::1ff' } },
      }),
    ).toMatchInlineSnapshot(`
      "<network>
        <name>lab6</name>
        <bridge name='virbr9' stp='on' delay='0'/>
        <mtu size='9000'/>
        <domain name='lab.internal' localOnly='yes'/>
        <dns>
          <forwarder addr='9.9.9.9'/>
          <host ip='10.1.2.5'>
            <hostname>www</hostname>
            <hostname>www.lab.internal</hostname>
          </host>
        </dns>
        <ip address='10.1.2.1' prefix='24'>
          <dhcp>
            <range start='10.1.2.2' end='10.1.2.254'/>
          </dhcp>
        </ip>
        <ip family='ipv6' address='fd00:1::1' prefix='64'>
          <dhcp>
            <range start='fd00:1::100' end='fd00:1::1ff'/>
          </dhcp>
        </ip>
      </network>
      "
    `)
  })

  it('writes NAT address and port ranges, and a routed network leaving by one interface', () => {
    const nat = buildNetworkSpecXml({
      name: 'n',
      kind: 'nat',
      bridge: 'virbr3',
      forwardDev: 'eth0',
      nat: { addressStart: '203.0.113.10', addressEnd: '203.0.113.20', portStart: 2000, portEnd: 3000 },
      ipv4: { address: '10.1.2.1', prefix: 24 },
    })
    expect(nat).toContain(
      `<forward mode='nat' dev='eth0'>\n    <nat>\n      <address start='203.0.113.10' end='203.0.113.20'/>\n      <port start='2000' end='3000'/>`,
    )
    const routed = buildNetworkSpecXml({
      name: 'r',
      kind: 'route',
      bridge: 'virbr4',
      ipv4: { address: '10.1.3.1', prefix: 24 },
    })
    expect(routed).toContain(`<forward mode='route'/>`)
    expect(
      buildNetworkSpecXml({ name: 'o', kind: 'open', bridge: 'virbr5', ipv4: { address: '10.1.4.1', prefix: 24 } }),
    ).toContain(`<forward mode='open'/>`)
  })

  it('makes a macvtap pool over host interfaces and an Open vSwitch network with VLAN portgroups', () => {
    expect(buildNetworkSpecXml({ name: 'mv', kind: 'direct', directMode: 'vepa', interfaces: ['eth1', 'eth2'] }))
      .toMatchInlineSnapshot(`
      "<network>
        <name>mv</name>
        <forward mode='vepa'>
          <interface dev='eth1'/>
          <interface dev='eth2'/>
        </forward>
      </network>
      "
    `)
    expect(
      buildNetworkSpecXml({
        name: 'ovs',
        kind: 'openvswitch',
        bridge: 'ovsbr0',
        portgroups: [
          { name: 'web', vlanTags: [10], isDefault: true },
          { name: 'trunk', vlanTags: [20, 30], isDefault: false },
          { name: 'untagged', vlanTags: [], isDefault: false },
        ],
      }),
    ).toMatchInlineSnapshot(`
      "<network>
        <name>ovs</name>
        <forward mode='bridge'/>
        <bridge name='ovsbr0'/>
        <virtualport type='openvswitch'/>
        <portgroup name='web' default='yes'>
          <vlan>
            <tag id='10'/>
          </vlan>
        </portgroup>
        <portgroup name='trunk'>
          <vlan trunk='yes'>
            <tag id='20'/>
            <tag id='30'/>
          </vlan>
        </portgroup>
        <portgroup name='untagged'/>
      </network>
      "
    `)
  })
})
