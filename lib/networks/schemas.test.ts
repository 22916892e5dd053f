import { describe, expect, it } from 'vitest'
import { CreateNetworkSchema } from './schemas'

describe('CreateNetworkSchema', () => {
  it('gives data the audit log can store as JSON (no bigint addresses), both families included', () => {
    const data = CreateNetworkSchema.parse({
      hostId: 'h',
      name: 'v6',
      kind: 'isolated',
      ipv4Cidr: '10.1.2.0/24',
      ipv6Cidr: 'fd00:1::/64',
      dhcp6Start: 'fd00:1::100',
      dhcp6End: 'fd00:1::1ff',
      dnsHosts: '10.1.2.5 www',
      portgroups: '',
    })
    expect(JSON.parse(JSON.stringify(data))).toMatchObject({ ipv4Cidr: '10.1.2.0/24', ipv6Cidr: 'fd00:1::/64' })
  })

  it('says what is wrong with a list entry, a portgroup line and a subnet', () => {
    const result = CreateNetworkSchema.safeParse({
      hostId: 'h',
      name: 'n',
      ipv6Cidr: 'fd00:1::5/64',
      forwarders: '9.9.9.9 nope',
      portgroups: 'web 5000',
    })
    expect(result.success).toBe(false)
    const fields = Object.fromEntries(result.error!.issues.map((issue) => [issue.path[0], issue.message]))
    expect(fields.ipv6Cidr).toContain('has host bits set; the subnet is fd00:1::/64')
    expect(fields.forwarders).toContain('"nope" is not an IP address')
    expect(fields.portgroups).toBe('web: "5000" is not a VLAN tag (0 to 4095) or "default".')
  })

  it('reads the line fields one entry per non-empty line, and says which line is wrong', () => {
    const base = { hostId: 'h', name: 'n', ipv4Cidr: '10.1.2.0/24' }
    const data = CreateNetworkSchema.parse({
      ...base,
      dnsHosts: '10.1.2.5 www www.lab\n\n  10.1.2.6   db  \n',
      portgroups: 'web 10\n\ntrunk 10 20 default',
    })
    expect(data.dnsHosts).toEqual([
      { ip: '10.1.2.5', names: ['www', 'www.lab'] },
      { ip: '10.1.2.6', names: ['db'] },
    ])
    expect(data.portgroups).toEqual([
      { name: 'web', vlanTags: [10], isDefault: false },
      { name: 'trunk', vlanTags: [10, 20], isDefault: true },
    ])
    const bad = CreateNetworkSchema.safeParse({ ...base, dnsHosts: '10.1.2.5 www\n10.1.2.7' })
    expect(bad.error?.issues.map((issue) => [issue.path[0], issue.message])).toEqual([
      ['dnsHosts', 'Give 10.1.2.7 at least one host name.'],
    ])
  })
})
