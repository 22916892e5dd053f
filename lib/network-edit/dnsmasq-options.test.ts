import { describe, expect, it } from 'vitest'
import { parseXml } from '@/lib/xml/xml-parse'
import { dnsmasqContent, dnsmasqOptionsProblem, dnsmasqRefusal } from '@/lib/network-edit/dnsmasq-options'

const ns = "xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'"
const network = (inner: string, rootAttributes = ns) =>
  parseXml(
    `<network ${rootAttributes}><name>n1</name><bridge name='virbr9'/><ip address='10.9.0.1' prefix='24'/>${inner}</network>`,
  )
const options = (...values: string[]) =>
  `<dnsmasq:options>${values.map((v) => `<dnsmasq:option value='${v}'/>`).join('')}</dnsmasq:options>`
const plain = network('')
const withLog = network(options('log-queries'))

describe('dnsmasq: options in a network edit', () => {
  it('refuses an operator who adds, changes or removes them, whatever the prefix', () => {
    expect(dnsmasqOptionsProblem('operator', plain, network(options('dhcp-script=/tmp/x')))).toBe(dnsmasqRefusal)
    expect(dnsmasqOptionsProblem('operator', withLog, network(options('log-queries', 'conf-file=/etc/shadow')))).toBe(
      dnsmasqRefusal,
    )
    expect(dnsmasqOptionsProblem('operator', withLog, plain)).toBe(dnsmasqRefusal)
    const otherPrefix = network(
      "<d:options xmlns:d='http://libvirt.org/schemas/network/dnsmasq/1.0'><d:option value='dhcp-script=/tmp/x'/></d:options>",
      '',
    )
    expect(dnsmasqOptionsProblem('operator', plain, otherPrefix)).toBe(dnsmasqRefusal)
    const defaultNamespace = network(
      "<options xmlns='http://libvirt.org/schemas/network/dnsmasq/1.0'><option value='dhcp-script=/tmp/x'/></options>",
      '',
    )
    expect(dnsmasqOptionsProblem('operator', plain, defaultNamespace)).toBe(dnsmasqRefusal)
  })

  it('lets an operator edit the rest of a network whose dnsmasq: options stay as they are', () => {
    const edited = parseXml(
      `<network ${ns}>\n  <name>n1</name>\n  <bridge name='virbr9'/>\n  <mtu size='1400'/>\n  <ip address='10.9.0.1' prefix='24'/>\n  ${options('log-queries')}\n</network>`,
    )
    expect(dnsmasqOptionsProblem('operator', withLog, edited)).toBeNull()
    expect(dnsmasqOptionsProblem('operator', plain, network('<mtu size="1400"/>'))).toBeNull()
  })

  it('lets an administrator change them', () => {
    expect(dnsmasqOptionsProblem('admin', plain, network(options('dhcp-script=/usr/local/bin/lease')))).toBeNull()
  })

  it('finds them by namespace, not by the prefix as written', () => {
    expect(dnsmasqContent(withLog)).toHaveLength(1)
    expect(dnsmasqContent(network("<dnsmasq:options xmlns:dnsmasq='urn:other'/>", ''))).toEqual([])
  })
})
