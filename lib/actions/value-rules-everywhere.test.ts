import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { FieldErrors } from '@/lib/core/errors'
import { ipFamilyOf } from '@/lib/addresses/ip-address'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { parseXml } from '@/lib/xml/xml-parse'
import { AuditFilterSchema } from '@/lib/audit/query'
import { AddHostSchema } from '@/lib/hosts/schemas'
import { CreateNatNetworkSchema, NetworkRefSchema, UndefineNetworkSchema } from '@/lib/networks/schemas'
import { AttachSchema, ChangeNetworkSchema } from '@/lib/guests/schemas'
import {
  DhcpNetworkSchema,
  ImportSchema,
  MappingKeySchema,
  PinLeaseSchema,
  SaveMappingSchema,
} from '@/lib/dhcp/schemas'
import { validateEntry, type EntryInput } from '@/lib/dhcp/entries'
import { parseMappingCsv } from '@/lib/dhcp/csv'
import { AddForwardSchema, ForwardFieldsSchema, SelfServiceAddSchema } from '@/lib/forwards/schemas'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'
import { readEditedNetwork } from '@/lib/network-edit/edit-document'
import { AssignSchema, CreatePoolSchema, PoolRefSchema, SetVfCountSchema } from '@/lib/sriov/schemas'
import { AttachGuestSchema, BridgeNetworkSchema, CreateHostBridgeSchema } from '@/lib/bridges/schemas'
import { LimitsSchema } from '@/lib/users/schemas'

/*
 * One rule per kind of value, wherever it is typed. For each kind, the same cases go through every schema (and every
 * domain check: the DHCP entry check shared by the form and the CSV import, the network XML editor) that takes such a
 * value, and each must give the same verdict with the same message. The expected messages are written out here, so
 * this file is the specification of what an operator reads.
 */

type Outcome = { ok: true } | { ok: false; messages: string[] }
/** One place a kind of value is typed: a schema field, or a domain check of it. */
type Field = { where: string; check: (value: string) => Outcome }

const outcomeOf = (messages: string[]): Outcome => (messages.length ? { ok: false, messages } : { ok: true })

function schemaField(
  where: string,
  schema: z.ZodType,
  base: Record<string, unknown>,
  field: string,
  wrap: (value: string) => string = (value) => value,
): Field {
  return {
    where,
    check: (value) => {
      const result = schema.safeParse({ ...base, [field]: wrap(value) })
      return outcomeOf(
        result.success ? [] : result.error.issues.filter((i) => i.path[0] === field).map((i) => i.message),
      )
    },
  }
}

// The DHCP form and the CSV import both check entries with validateEntry, against this network.
const dhcpNetwork = parseNetworkXml(
  `<network><name>t</name><ip address='192.168.50.1' netmask='255.255.255.0'><dhcp><range start='192.168.50.100' end='192.168.50.200'/></dhcp></ip><ip family='ipv6' address='fd00:50::1' prefix='64'/></network>`,
)

function entryField(where: string, field: keyof EntryInput, input: (value: string) => EntryInput): Field {
  return {
    where,
    check: (value) => {
      const result = validateEntry(input(value), dhcpNetwork, [])
      return outcomeOf('errors' in result ? (result.errors[field] ?? []) : [])
    },
  }
}

/** A pasted CSV line, read the way the import reads it: the address decides whether the first column is a MAC or a DUID. */
function csvField(where: string, field: keyof EntryInput, line: (value: string) => string): Field {
  return entryField(where, field, (value) => {
    const row = parseMappingCsv(line(value)).rows[0]!
    return ipFamilyOf(row.ip) === 'ipv6'
      ? { id: row.client || undefined, ip: row.ip, name: row.name }
      : { mac: row.client, ip: row.ip, name: row.name }
  })
}

const editedNetwork = `<network>
  <name>edit-me</name>
  <uuid>11111111-2222-4333-8444-555555555555</uuid>
  <forward mode='nat'/>
  <bridge name='virbr9' stp='on' delay='0'/>
  <ip address='10.9.0.1' netmask='255.255.255.0'/>
</network>
`
const escapeAttribute = (value: string) => value.replace(/[&<'"\t\n]/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * A value in the network XML editor: the edited document goes through readEditedNetwork. `where` is how the refusal
 * names the element (for a DHCP host, with the host as written, so a function of the value).
 */
function xmlField(where: string | ((value: string) => string), edit: (attribute: string) => string): Field {
  const named = (value: string) => (typeof where === 'string' ? where : where(value))
  return {
    where: `network XML editor ${named('…')}`,
    check: (value) => {
      try {
        readEditedNetwork(edit(escapeAttribute(value)), parseXml(editedNetwork))
        return { ok: true }
      } catch (error) {
        if (!(error instanceof FieldErrors)) throw error
        return outcomeOf((error.errors.xml ?? []).map((message) => message.replace(`${named(value)}: `, '')))
      }
    },
  }
}

/** Every case through every field: the list of disagreements, empty when each field answers as expected. */
function disagreements(fields: Field[], cases: Array<[value: string, expected: string | null]>) {
  return fields.flatMap((field) =>
    cases.flatMap(([value, expected]) => {
      const outcome = field.check(value)
      const wanted: Outcome = expected === null ? { ok: true } : { ok: false, messages: [expected] }
      return JSON.stringify(outcome) === JSON.stringify(wanted)
        ? []
        : [{ where: field.where, value, expected: wanted, got: outcome }]
    }),
  )
}

/** How messages quote a typed value. */
const q = (value: string) => `"${[...value].length > 40 ? `${[...value].slice(0, 39).join('')}…` : value}"`

const hostId = 'h'
const nic = '11111111-2222-4333-8444-555555555555/default'

describe('whole numbers: ports, counts and limits', () => {
  const fields: Array<{ field: Field; min: number; max: number; empty: 'refused' | 'accepted' }> = [
    {
      field: schemaField(
        'hosts: SSH port',
        AddHostSchema,
        { name: 'lab', address: 'lab.example', username: 'root' },
        'port',
      ),
      min: 1,
      max: 65535,
      empty: 'refused',
    },
    {
      field: schemaField(
        'users: lowest host port',
        LimitsSchema,
        { userId: 'u', portMax: '65535', maxForwards: '5' },
        'portMin',
      ),
      min: 1,
      max: 65535,
      empty: 'refused',
    },
    {
      field: schemaField(
        'users: highest host port',
        LimitsSchema,
        { userId: 'u', portMin: '1', maxForwards: '5' },
        'portMax',
      ),
      min: 1,
      max: 65535,
      empty: 'refused',
    },
    {
      field: schemaField(
        'users: max forwards',
        LimitsSchema,
        { userId: 'u', portMin: '1', portMax: '65535' },
        'maxForwards',
      ),
      min: 0,
      max: 1000,
      empty: 'refused',
    },
    {
      field: schemaField(
        'host bridge: confirm seconds',
        CreateHostBridgeSchema,
        { hostId, bridge: 'br0', nic: 'eth0' },
        'confirmSeconds',
      ),
      min: 15,
      max: 600,
      empty: 'accepted',
    },
    {
      field: schemaField('SR-IOV: VF count', SetVfCountSchema, { hostId, pf: 'enp3s0f0' }, 'count'),
      min: 0,
      max: 1024,
      empty: 'refused',
    },
    {
      field: schemaField('SR-IOV: VLAN tag', AssignSchema, { hostId, guest: 'g', target: 'pool:vfpool' }, 'vlan'),
      min: 1,
      max: 4094,
      empty: 'accepted',
    },
    { field: schemaField('audit: page', AuditFilterSchema, {}, 'page'), min: 1, max: 100_000, empty: 'accepted' },
  ]

  it.each(fields)(
    '$field.where: decimal digits only, blanks around them trimmed, range in words',
    ({ field, min, max, empty }) => {
      const notDigits = (value: string) =>
        `${q(value)} is not a whole number from ${min} to ${max}; use the digits 0-9 only.`
      const outside = (value: string) => `${q(value)} is not a whole number from ${min} to ${max}.`
      const cases: Array<[string, string | null]> = [
        [`${min}`, null],
        [` ${max} `, null],
        [`00${max}`, null],
        [`${max + 1}`, outside(`${max + 1}`)],
        ['99999999999999999999999', outside('99999999999999999999999')],
        ['1e3', notDigits('1e3')],
        ['0x8AE', notDigits('0x8AE')],
        ['2222.0', notDigits('2222.0')],
        ['+2222', notDigits('+2222')],
        ['-1', notDigits('-1')],
        ['22 22', notDigits('22 22')],
        ['1_000', notDigits('1_000')],
        ['٣٣', notDigits('٣٣')],
        ['Infinity', notDigits('Infinity')],
        ['ten', notDigits('ten')],
        ['', empty === 'refused' ? `Enter a whole number from ${min} to ${max}.` : null],
      ]
      expect(disagreements([field], cases)).toEqual([])
    },
  )

  it('a port gets the same verdict as a port of a forward', () => {
    const portFields = fields.slice(0, 3).map(({ field }) => field)
    const forwardPort = schemaField(
      'forwards: host port',
      AddForwardSchema,
      { hostId, guest: nic, protocol: 'tcp', guestPort: '80' },
      'hostPort',
    )
    for (const value of ['2222', ' 2222 ', '1e3', '0x8AE', '2222.0', '+2222', '0', '65536', ''])
      for (const field of portFields)
        expect([field.where, value, field.check(value).ok]).toEqual([field.where, value, forwardPort.check(value).ok])
  })
})

describe('ports and port ranges of forwards', () => {
  const base = { hostId, guest: nic, protocol: 'tcp', hostPort: '8080', guestPort: '80' }
  const fields = [
    schemaField('forwards: host port', AddForwardSchema, base, 'hostPort'),
    schemaField('forwards: guest port', AddForwardSchema, base, 'guestPort'),
    schemaField('self-service: host port', SelfServiceAddSchema, base, 'hostPort'),
    schemaField('self-service: guest port', SelfServiceAddSchema, base, 'guestPort'),
    schemaField('forward fields: host port', ForwardFieldsSchema, base, 'hostPort'),
  ]
  const bad = (value: string) => `${q(value)} is not a port from 1 to 65535 or a range of them such as 8000-8010.`

  it('the same verdict and message in every field', () => {
    expect(
      disagreements(fields, [
        ['8080', null],
        [' 8000-8010 ', null],
        ['8000:8010', null],
        ['8000 - 8010', null],
        ['65535', null],
        ['0', bad('0')],
        ['65536', bad('65536')],
        ['10-5', bad('10-5')],
        ['1-2-3', bad('1-2-3')],
        ['1e3', bad('1e3')],
        ['0x50', bad('0x50')],
        ['+80', bad('+80')],
        ['80.0', bad('80.0')],
        ['80-', bad('80-')],
        ['http', bad('http')],
        ['', 'Enter a port from 1 to 65535, or a range such as 8000-8010.'],
      ]),
    ).toEqual([])
  })
})

describe('Linux interface names', () => {
  const withSource = (type: string) => ({ hostId, guest: 'g', type, source: 'x', model: 'virtio' })
  const fields = [
    schemaField(
      'NAT network: bridge',
      CreateNatNetworkSchema,
      { hostId, name: 'vn1', ipv4Cidr: '10.1.2.0/24' },
      'bridge',
    ),
    schemaField('host bridge: bridge', CreateHostBridgeSchema, { hostId, nic: 'eth0' }, 'bridge'),
    schemaField('host bridge: NIC', CreateHostBridgeSchema, { hostId, bridge: 'br0' }, 'nic'),
    schemaField('bridge network: bridge', BridgeNetworkSchema, { hostId, name: 'vn1' }, 'bridge'),
    schemaField('bridges: guest target', AttachGuestSchema, { hostId, guest: 'g' }, 'target', (v) => `bridge:${v}`),
    schemaField('SR-IOV: PF of the VF count', SetVfCountSchema, { hostId, count: '2' }, 'pf'),
    schemaField('SR-IOV: PF of a pool', CreatePoolSchema, { hostId, name: 'vfpool' }, 'pf'),
    schemaField('guests: bridge to attach to', AttachSchema, withSource('bridge'), 'source'),
    xmlField('<bridge name>', (v) => editedNetwork.replace("name='virbr9'", `name='${v}'`)),
    xmlField('<forward dev>', (v) =>
      editedNetwork
        .replace("<forward mode='nat'/>", `<forward mode='bridge' dev='${v}'/>`)
        .replace(/ *<bridge [^>]*>\n/, ''),
    ),
    xmlField('<forward><interface dev>', (v) =>
      editedNetwork.replace("<forward mode='nat'/>", `<forward mode='bridge'><interface dev='${v}'/></forward>`),
    ),
    xmlField('<forward><pf dev>', (v) =>
      editedNetwork.replace("<forward mode='nat'/>", `<forward mode='hostdev'><pf dev='${v}'/></forward>`),
    ),
  ]
  const bad = (value: string, reason: string) => `${q(value)} is not a Linux interface name (${reason}).`
  const characters = 'it contains "/", ":", white space or a control character'

  it('the same verdict and message in every form and in the XML editor', () => {
    expect(
      disagreements(fields, [
        ['br0', null],
        ['enp3s0f0', null],
        ['virbr-lab_1.10', null],
        ['a'.repeat(15), null],
        ['brück0', null],
        ['éééééééa', null],
        ['a'.repeat(16), bad('a'.repeat(16), 'it is longer than 15 bytes')],
        ['éééééééé', bad('éééééééé', 'it is longer than 15 bytes')],
        ['-rf', bad('-rf', 'it starts with "-"')],
        ['--help', bad('--help', 'it starts with "-"')],
        ['.', bad('.', '"." and ".." are reserved')],
        ['..', bad('..', '"." and ".." are reserved')],
        ['br/0', bad('br/0', characters)],
        ['br0:1', bad('br0:1', characters)],
        ['br 0', bad('br 0', characters)],
        ['br\t0', bad('br?0', characters)],
        ['br\u00a00', bad('br\u00a00', characters)],
        ['br\u200b0', bad('br\u200b0', characters)],
      ]),
    ).toEqual([])
  })

  it('control characters are refused in every form (the XML editor cannot even carry most of them)', () => {
    expect(disagreements(fields.slice(0, 8), [['br\u00010', bad('br?0', characters)]])).toEqual([])
  })

  it('a bridge Virtnet creates also keeps clear of the guest interface prefixes', () => {
    const created = fields.slice(0, 2)
    const message = `${q('vnet7')} starts like a guest interface (vnet, macvtap, macvlan); choose another bridge name.`
    expect(disagreements(created, [['vnet7', message]])).toEqual([])
    expect(disagreements(fields.slice(2), [['vnet7', null]])).toEqual([])
  })
})

describe('network names', () => {
  const ref = { hostId }
  const fields = [
    schemaField('networks: network', NetworkRefSchema, ref, 'name'),
    schemaField('networks: new NAT network', CreateNatNetworkSchema, { hostId, ipv4Cidr: '10.1.2.0/24' }, 'name'),
    schemaField('networks: undefine', UndefineNetworkSchema, { hostId, confirmName: '' }, 'name'),
    schemaField('bridges: bridge network', BridgeNetworkSchema, { hostId, bridge: 'br0' }, 'name'),
    schemaField('bridges: guest target', AttachGuestSchema, { hostId, guest: 'g' }, 'target', (v) => `network:${v}`),
    schemaField('SR-IOV: new pool', CreatePoolSchema, { hostId, pf: 'enp3s0f0' }, 'name'),
    schemaField('SR-IOV: pool', PoolRefSchema, ref, 'name'),
    schemaField('SR-IOV: assign from pool', AssignSchema, { hostId, guest: 'g' }, 'target', (v) => `pool:${v}`),
    schemaField('DHCP: network', DhcpNetworkSchema, ref, 'network'),
    schemaField('DHCP: mapping', SaveMappingSchema, { hostId, ip: '192.168.50.5' }, 'network'),
    schemaField('DHCP: mapping key', MappingKeySchema, { hostId, key: 'mac:52:54:00:00:00:01' }, 'network'),
    schemaField('DHCP: pin lease', PinLeaseSchema, { hostId, mac: '52:54:00:00:00:01' }, 'network'),
    schemaField('DHCP: import', ImportSchema, { hostId, csv: '' }, 'network'),
    schemaField('network XML editor: network', NetworkEditSchema, { hostId, xml: '<network/>' }, 'name'),
    schemaField(
      'guests: network to attach to',
      AttachSchema,
      { hostId, guest: 'g', type: 'network', source: 'x' },
      'source',
    ),
    schemaField(
      'guests: move to network',
      ChangeNetworkSchema,
      { hostId, guest: 'g', mac: '52:54:00:00:00:01' },
      'network',
    ),
    schemaField(
      'forwards: guest NIC',
      AddForwardSchema,
      { hostId, protocol: 'tcp', hostPort: '80', guestPort: '80' },
      'guest',
      (v) => `11111111-2222-4333-8444-555555555555/${v}`,
    ),
  ]
  const letters =
    'Use letters, digits, ".", "_" and "-", starting with a letter or digit (libvirt names cannot contain "/").'

  it('the same verdict and message wherever a network is named', () => {
    expect(
      disagreements(fields, [
        ['default', null],
        ['vn-lab_1.test', null],
        ['a'.repeat(64), null],
        ['a'.repeat(65), 'Use at most 64 characters.'],
        ['-rf', letters],
        ['.hidden', letters],
        ['lab/net', letters],
        ['lab net', letters],
        ['réseau', letters],
        ['lab;reboot', letters],
      ]),
    ).toEqual([])
  })
})

describe('MAC addresses', () => {
  const fields = [
    schemaField(
      'guests: MAC of a new interface',
      AttachSchema,
      { hostId, guest: 'g', type: 'network', source: 'default' },
      'mac',
    ),
    schemaField('SR-IOV: MAC of an assigned VF', AssignSchema, { hostId, guest: 'g', target: 'pool:vfpool' }, 'mac'),
    entryField('DHCP form: MAC', 'mac', (mac) => ({ mac, ip: '192.168.50.20' })),
    csvField('DHCP CSV import: MAC', 'mac', (mac) => `${mac},192.168.50.20`),
  ]

  it('unicast, not all-zero: the same verdict and message everywhere', () => {
    expect(
      disagreements(fields, [
        ['52:54:00:12:34:56', null],
        ['52:54:00:AB:0:1', null],
        ['02:00:00:00:00:01', null],
        ['00:00:00:00:00:00', `${q('00:00:00:00:00:00')} is the all-zero MAC, which cannot identify an interface.`],
        ['0:0:0:0:0:0', `${q('0:0:0:0:0:0')} is the all-zero MAC, which cannot identify an interface.`],
        ...['ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', '33:33:00:00:00:01'].map((mac): [string, string] => [
          mac,
          `${q(mac)} is a multicast or broadcast MAC; an interface needs a unicast one (first byte even).`,
        ]),
        ...['52:54:00:12:34', '52-54-00-12-34-56', '52:54:00:12:34:567', 'zz:54:00:12:34:56', '525400123456'].map(
          (mac): [string, string] => [
            mac,
            `${q(mac)} is not a MAC address (six hex bytes separated by ":", such as 52:54:00:12:34:56).`,
          ],
        ),
      ]),
    ).toEqual([])
  })

  it('keeps libvirt spelling of an accepted MAC in every form', () => {
    const parsed = [
      AttachSchema.parse({ hostId, guest: 'g', type: 'network', source: 'default', mac: '52:54:00:AB:0:1' }).mac,
      AssignSchema.parse({ hostId, guest: 'g', target: 'pool:vfpool', mac: '52:54:00:AB:0:1' }).mac,
      (validateEntry({ mac: '52:54:00:AB:0:1', ip: '192.168.50.20' }, dhcpNetwork, []) as { entry: { mac: string } })
        .entry.mac,
    ]
    expect(parsed).toEqual(['52:54:00:ab:00:01', '52:54:00:ab:00:01', '52:54:00:ab:00:01'])
  })
})

describe('IP addresses', () => {
  const forward = { hostId, guest: nic, protocol: 'tcp', hostPort: '80', guestPort: '80' }
  const ipv4Fields = [
    schemaField(
      'NAT network: DHCP start',
      CreateNatNetworkSchema,
      { hostId, name: 'vn1', ipv4Cidr: '10.1.2.0/24', dhcpEnd: '10.1.2.9' },
      'dhcpStart',
    ),
    schemaField(
      'NAT network: DHCP end',
      CreateNatNetworkSchema,
      { hostId, name: 'vn1', ipv4Cidr: '10.1.2.0/24', dhcpStart: '10.1.2.2' },
      'dhcpEnd',
    ),
    schemaField('forwards: host address', AddForwardSchema, forward, 'hostAddress'),
    schemaField('forwards: source network', AddForwardSchema, forward, 'sourceCidrs'),
    schemaField('hosts: address', AddHostSchema, { name: 'lab', port: '22', username: 'root' }, 'address'),
  ]
  const anyFamilyFields = [
    entryField('DHCP form: address', 'ip', (ip) =>
      ip.includes(':') ? { name: 'h6', ip } : { mac: '52:54:00:00:00:09', ip },
    ),
    csvField('DHCP CSV import: address', 'ip', (ip) => (ip.includes(':') ? `,${ip},h6` : `52:54:00:00:00:09,${ip}`)),
    schemaField('hosts: address', AddHostSchema, { name: 'lab', port: '22', username: 'root' }, 'address'),
  ]
  const notIpv4 = (v: string) => `${q(v)} is not an IPv4 address (four numbers from 0 to 255, such as 192.168.122.10).`
  const notIp = (v: string) => `${q(v)} is not an IP address (IPv4 such as 192.168.122.10, or IPv6 such as fd00::10).`
  const badIpv4 = ['192.168.50.300', '192.168.050.20', '192.168.50', '192.168.50.20.1', '192.168..20', '1.2.3.4.']

  it('IPv4: the same verdict and message in every IPv4 field', () => {
    expect(
      disagreements(ipv4Fields, [
        ['192.168.50.20', null],
        ['10.1.2.9', null],
        ...badIpv4.map((v): [string, string] => [v, notIpv4(v)]),
      ]),
    ).toEqual([])
  })

  it('either family: the same verdict as the IPv4 fields, and one message', () => {
    expect(
      disagreements(anyFamilyFields, [
        ['192.168.50.20', null],
        ['fd00:50::20', null],
        ['fd00:50::20:', notIp('fd00:50::20:')],
        [':::', notIp(':::')],
        ['fd00:50::g', notIp('fd00:50::g')],
        ['fd00::50::20', notIp('fd00::50::20')],
      ]),
    ).toEqual([])
    // The DHCP address takes both families; an IPv4 spelling it refuses, every IPv4 field refuses.
    expect(
      disagreements(
        anyFamilyFields.slice(0, 2),
        badIpv4.map((v): [string, string] => [v, notIp(v)]),
      ),
    ).toEqual([])
  })
})

describe('IPv4 subnets', () => {
  const fields = [
    schemaField('NAT network: subnet', CreateNatNetworkSchema, { hostId, name: 'vn1' }, 'ipv4Cidr'),
    schemaField(
      'forwards: source network',
      AddForwardSchema,
      { hostId, guest: nic, protocol: 'tcp', hostPort: '80', guestPort: '80' },
      'sourceCidrs',
    ),
  ]
  const notSubnet = (v: string) =>
    `${q(v)} is not an IPv4 subnet (address/prefix with no host bits set, such as 10.1.2.0/24).`

  it('the same verdict and message in both fields', () => {
    expect(
      disagreements(fields, [
        ['10.1.2.0/24', null],
        ['172.16.0.0/12', null],
        ['10.1.2.5/24', `${q('10.1.2.5/24')} has host bits set; the subnet is 10.1.2.0/24.`],
        ...['10.1.2.0/33', '10.1.2.0/', '10.1.2/24', '10.1.2.0/24/1', '010.1.2.0/24', '10.1.2.0/024', 'fd00::/64'].map(
          (v): [string, string] => [v, notSubnet(v)],
        ),
      ]),
    ).toEqual([])
  })
})

describe('host names', () => {
  const fields = [
    entryField('DHCP form: host name', 'name', (name) => ({ mac: '52:54:00:00:00:09', ip: '192.168.50.20', name })),
    csvField('DHCP CSV import: host name', 'name', (name) => `52:54:00:00:00:09,192.168.50.20,${name}`),
    schemaField('hosts: address', AddHostSchema, { name: 'lab', port: '22', username: 'root' }, 'address'),
    xmlField(
      (name) => `<dhcp><host name> of <host mac='52:54:00:00:00:09' name='${name}' ip='10.9.0.20'>`,
      (name) =>
        editedNetwork.replace(
          "netmask='255.255.255.0'/>",
          `netmask='255.255.255.0'><dhcp><host mac='52:54:00:00:00:09' name='${name}' ip='10.9.0.20'/></dhcp></ip>`,
        ),
    ),
    xmlField('<dns><host><hostname>', (name) =>
      editedNetwork.replace(
        '</network>',
        `<dns><host ip='10.9.0.20'><hostname>${name.replace(/'/g, '&#39;')}</hostname></host></dns></network>`,
      ),
    ),
  ]
  const bad = (v: string) =>
    `${q(v)} is not a host name: use letters, digits and "-" in dot-separated labels of at most 63 characters, not starting or ending with "-".`

  it('the same verdict and message in every field', () => {
    const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.')
    expect(
      disagreements(fields, [
        ['web-1.lab', null],
        ['a'.repeat(63), null],
        ['xn--bcher-kva.example', null],
        ['a'.repeat(64), bad('a'.repeat(64))],
        [long, bad(long)],
        ['-bad', bad('-bad')],
        ['bad-', bad('bad-')],
        ['a_b', bad('a_b')],
        ['a..b', bad('a..b')],
        ['lab.', bad('lab.')],
        ['a b', bad('a b')],
        ['bücher.example', bad('bücher.example')],
      ]),
    ).toEqual([])
  })
})

describe('DUIDs', () => {
  const fields = [
    entryField('DHCP form: DUID', 'id', (id) => ({ id, ip: 'fd00:50::20' })),
    csvField('DHCP CSV import: DUID', 'id', (id) => `${id},fd00:50::20`),
  ]
  const bad = (v: string) => `${q(v)} is not a DUID (hex bytes separated by ":", such as 00:01:00:01:2c:1f:aa:bb).`

  it('the same verdict and message in the form and the import', () => {
    expect(
      disagreements(fields, [
        ['00:01:00:01:2c:1f:aa:bb', null],
        ['0:3:0:1:AA:BB', null],
        ...['00', '00:01:zz', '000:01', '00-01-02', '00:01:', 'client-1'].map((v): [string, string] => [v, bad(v)]),
      ]),
    ).toEqual([])
  })
})
