import { describe, expect, it } from 'vitest'
import { corpusFiles, corpusHas, readCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { applyNetworkUpdate } from '@/lib/libvirt-xml/net-update/network-update'
import {
  NetworkUpdateError,
  type NetworkUpdateCommand,
  type NetworkUpdateOptions,
  type NetworkUpdateSection,
} from '@/lib/libvirt-xml/net-update/network-update-types'
import { withoutWhitespaceText } from '@/lib/xml/xml-normalize'
import { parseXml } from '@/lib/xml/xml-parse'

/*
 * The "net-update mapping" table of the conformance corpus's README (libvirt/README.md under
 * ../shared/conformance beside the repository; from libvirt's tests/networkxml2xmlupdatetest.c),
 * one test per row. The unit suite's own counterpart: the libvirt9-net-update-* recordings
 * replayed by network-update-libvirt9.test.ts, and network-update.test.ts.
 *
 * Base document: libvirt's test parses in/<base>.xml into its internal definition, applies the
 * update and formats the result. Our model edits the tree and does not re-format untouched
 * parts (it does not add stp/delay defaults or turn <forward dev> into an <interface> pool), so
 * it starts from out/<base>.xml: libvirt's own formatted form of that same input. The row still
 * requires in/<base>.xml to exist, as the README defines the rows by it. Starting from out/ also
 * avoids the README's known in/out revision mismatch: in/openvswitch-net.xml lacks the 'native'
 * portgroup that out/openvswitch-net.xml and the openvswitch update-out files have.
 *
 * Comparison: same tree after dropping whitespace-only text, since the update-out files mix
 * libvirt 9.0's "<ip ...>\n  </ip>" with the newer formatter's "<ip .../>".
 *
 * Upstream's DO_TEST_INDEX macro swaps flags and parentIndex, so every upstream row really ran
 * with parentIndex 0; the ip-dhcp rows below use 0 as well.
 */

type Row = {
  section: NetworkUpdateSection
  command: NetworkUpdateCommand
  fragment: string
  base: string
  /** update-out file name, or a fragment of the expected error message. */
  expect: { result: string } | { error: string }
  options?: NetworkUpdateOptions
  /** Why the row cannot run (base input missing from in/). */
  skip?: string
}

const BASE_MISSING = 'base input nat-network-dns-srv-record.xml is not in in/ (README marks it (*))'
const NEWER = { dnsRecordModify: true } satisfies NetworkUpdateOptions

const ROWS: Row[] = [
  {
    section: 'ip-dhcp-host',
    command: 'add-last',
    fragment: 'host-incomplete',
    base: 'nat-network',
    expect: { error: 'Missing IP address in static host definition' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'add-last',
    fragment: 'host-new-incomplete',
    base: 'nat-network',
    expect: { error: 'Missing IP address in static host definition' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'add-last',
    fragment: 'host-existing',
    base: 'nat-network',
    expect: { error: 'there is an existing dhcp host entry' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'add-last',
    fragment: 'host-new',
    base: 'nat-network',
    expect: { result: 'nat-network-hosts' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'modify',
    fragment: 'host-new',
    base: 'nat-network',
    expect: { error: "couldn't locate an existing dhcp host entry" },
  },
  {
    section: 'ip-dhcp-host',
    command: 'modify',
    fragment: 'host-incomplete',
    base: 'nat-network',
    expect: { error: 'Missing IP address in static host definition' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'modify',
    fragment: 'host-updated',
    base: 'nat-network',
    expect: { result: 'nat-network-host-updated' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'delete',
    fragment: 'host-incomplete',
    base: 'nat-network',
    expect: { result: 'nat-network-one-host' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'delete',
    fragment: 'host-existing',
    base: 'nat-network',
    expect: { result: 'nat-network-one-host' },
  },
  {
    section: 'ip-dhcp-host',
    command: 'delete',
    fragment: 'host-new',
    base: 'nat-network',
    expect: { error: "couldn't locate a matching dhcp host entry" },
  },
  {
    section: 'ip-dhcp-range',
    command: 'add-first',
    fragment: 'dhcp-range',
    base: 'dhcp6host-routed-network',
    expect: { result: 'dhcp6host-routed-network-range' },
  },
  {
    section: 'ip-dhcp-range',
    command: 'delete',
    fragment: 'dhcp-range-existing',
    base: 'nat-network',
    expect: { result: 'nat-network-no-range' },
  },
  {
    section: 'ip-dhcp-range',
    command: 'delete',
    fragment: 'dhcp-range',
    base: 'nat-network',
    expect: { error: "couldn't locate a matching dhcp range entry" },
  },
  {
    section: 'forward-interface',
    command: 'add-first',
    fragment: 'interface-eth47',
    base: 'nat-network-dns-srv-record',
    expect: { result: 'nat-network-forward-ifaces' },
    skip: BASE_MISSING,
  },
  {
    section: 'forward-interface',
    command: 'delete',
    fragment: 'interface-eth1',
    base: 'nat-network-dns-srv-record',
    expect: { result: 'nat-network-no-forward-ifaces' },
    skip: BASE_MISSING,
  },
  {
    section: 'forward-interface',
    command: 'delete',
    fragment: 'interface-eth47',
    base: 'nat-network-dns-srv-record',
    expect: { error: "couldn't find an interface entry" },
    skip: BASE_MISSING,
  },
  {
    section: 'portgroup',
    command: 'add-first',
    fragment: 'portgroup-alison',
    base: 'openvswitch-net',
    expect: { result: 'openvswitch-net-more-portgroups' },
  },
  {
    section: 'portgroup',
    command: 'add-last',
    fragment: 'portgroup-alice-new',
    base: 'openvswitch-net',
    expect: { error: 'there is an existing portgroup entry' },
  },
  {
    section: 'portgroup',
    command: 'modify',
    fragment: 'portgroup-alice-new',
    base: 'openvswitch-net',
    expect: { result: 'openvswitch-net-modified' },
  },
  {
    section: 'portgroup',
    command: 'modify',
    fragment: 'portgroup-alison',
    base: 'openvswitch-net',
    expect: { error: "couldn't find a portgroup entry" },
  },
  {
    section: 'portgroup',
    command: 'delete',
    fragment: 'portgroup-alice-new',
    base: 'openvswitch-net',
    expect: { result: 'openvswitch-net-without-alice' },
  },
  {
    section: 'dns-host',
    command: 'add-first',
    fragment: 'dns-host-gateway-incomplete',
    base: 'nat-network-dns-hosts',
    expect: { error: 'Missing IP address in network' },
  },
  {
    section: 'dns-host',
    command: 'add-first',
    fragment: 'dns-host-pudding',
    base: 'nat-network-dns-hosts',
    expect: { result: 'nat-network-dns-more-hosts' },
  },
  {
    section: 'dns-host',
    command: 'delete',
    fragment: 'unparsable-dns-host',
    base: 'nat-network',
    expect: { error: 'Missing ip and hostname' },
  },
  {
    section: 'dns-host',
    command: 'delete',
    fragment: 'dns-host-gateway-incomplete',
    base: 'nat-network-dns-hosts',
    expect: { result: 'nat-network-no-hosts' },
  },
  // modify of DNS records exists only in libvirt >= 10.6 (see the 9.0 block below).
  {
    section: 'dns-host',
    command: 'modify',
    fragment: 'dns-host-modify',
    base: 'nat-network-dns-hosts',
    expect: { result: 'nat-network-dns-hosts-modified' },
    options: NEWER,
  },
  {
    section: 'dns-host',
    command: 'modify',
    fragment: 'dns-host-modify-not-existing',
    base: 'nat-network-dns-hosts',
    expect: { error: 'Invalid IP address in network' },
    options: NEWER,
  },
  {
    section: 'dns-txt',
    command: 'add-first',
    fragment: 'dns-txt-record-snowman',
    base: 'nat-network-dns-txt-record',
    expect: { result: 'nat-network-dns-txt-records' },
  },
  {
    section: 'dns-txt',
    command: 'add-last',
    fragment: 'dns-txt-record-example',
    base: 'nat-network-dns-txt-record',
    expect: { error: 'there is already a DNS TXT record' },
  },
  {
    section: 'dns-txt',
    command: 'delete',
    fragment: 'dns-txt-record-example',
    base: 'nat-network-dns-txt-record',
    expect: { result: 'nat-network-dns-txt-none' },
  },
  {
    section: 'dns-txt',
    command: 'delete',
    fragment: 'dns-txt-record-snowman',
    base: 'nat-network-dns-txt-record',
    expect: { error: "couldn't locate a matching DNS TXT record" },
  },
  {
    section: 'dns-txt',
    command: 'modify',
    fragment: 'dns-txt-record-modify-success',
    base: 'nat-network-dns-txt-record',
    expect: { result: 'nat-network-dns-txt-modify-ok' },
    options: NEWER,
  },
  {
    section: 'dns-txt',
    command: 'modify',
    fragment: 'dns-txt-record-modify-fail',
    base: 'nat-network-dns-txt-record',
    expect: { error: "couldn't locate a matching DNS TXT record" },
    options: NEWER,
  },
  {
    section: 'dns-srv',
    command: 'add-first',
    fragment: 'srv-record',
    base: 'nat-network',
    expect: { result: 'nat-network-dns-srv-record' },
  },
  {
    section: 'dns-srv',
    command: 'add-last',
    fragment: 'srv-record',
    base: 'nat-network',
    expect: { result: 'nat-network-dns-srv-record' },
  },
  {
    section: 'dns-srv',
    command: 'add-last',
    fragment: 'srv-record',
    base: 'nat-network-dns-srv-record',
    expect: { error: 'already at least one DNS SRV record' },
    skip: BASE_MISSING,
  },
  {
    section: 'dns-srv',
    command: 'add-last',
    fragment: 'srv-record-donkey',
    base: 'nat-network-dns-srv-record',
    expect: { result: 'nat-network-dns-srv-records' },
    skip: BASE_MISSING,
  },
  {
    section: 'dns-srv',
    command: 'delete',
    fragment: 'srv-record-service',
    base: 'nat-network',
    expect: { error: "couldn't locate a matching DNS SRV record" },
  },
  {
    section: 'dns-srv',
    command: 'delete',
    fragment: 'srv-record-invalid',
    base: 'nat-network-dns-srv-record',
    expect: { error: "couldn't locate a matching DNS SRV record" },
    skip: BASE_MISSING,
  },
  {
    section: 'dns-srv',
    command: 'delete',
    fragment: 'srv-record-donkey',
    base: 'nat-network-dns-srv-records',
    expect: { result: 'nat-network-dns-srv-record' },
    skip: 'base input nat-network-dns-srv-records.xml is not in in/ (README marks it (*))',
  },
  {
    section: 'dns-srv',
    command: 'delete',
    fragment: 'srv-record-service',
    base: 'nat-network-dns-srv-records',
    expect: { error: 'multiple DNS SRV records' },
    skip: 'base input nat-network-dns-srv-records.xml is not in in/ (README marks it (*))',
  },
  {
    section: 'dns-srv',
    command: 'delete',
    fragment: 'srv-record-protocol',
    base: 'nat-network-dns-srv-record',
    expect: { result: 'nat-network' },
    skip: BASE_MISSING,
  },
  {
    section: 'dns-srv',
    command: 'modify',
    fragment: 'srv-record-modify-few',
    base: 'nat-network-dns-srv-record',
    expect: { result: 'nat-network-dns-srv-modify-few' },
    options: NEWER,
    skip: BASE_MISSING,
  },
  {
    section: 'dns-srv',
    command: 'modify',
    fragment: 'srv-not-existing',
    base: 'nat-network-dns-srv-record',
    expect: { error: "couldn't locate a matching DNS SRV record" },
    options: NEWER,
    skip: BASE_MISSING,
  },
]

function run(row: Row) {
  const base = parseXml(readCorpus('out', `${row.base}.xml`))
  const parentIndex = row.section.startsWith('ip-dhcp') ? 0 : undefined
  return applyNetworkUpdate(
    base,
    { command: row.command, section: row.section, parentIndex, xml: readCorpus('update-in', `${row.fragment}.xml`) },
    row.options,
  )
}

describe('net-update mapping (README table)', () => {
  it('the corpus is present', () => {
    expect(corpusFiles('update-in').length).toBeGreaterThan(0)
  })

  for (const row of ROWS) {
    const title = `${row.section} ${row.command} ${row.fragment} on ${row.base} → ${'result' in row.expect ? row.expect.result : 'FAIL'}${row.options ? ' (libvirt ≥ 10.6)' : ''}`
    if (row.skip) {
      it.skip(`${title} — skipped: ${row.skip}`, () => {})
      continue
    }
    it(title, () => {
      expect(corpusHas('in', `${row.base}.xml`), `README defines this row on in/${row.base}.xml`).toBe(true)
      if ('error' in row.expect) {
        expect(() => run(row)).toThrowError(NetworkUpdateError)
        expect(() => run(row)).toThrowError(row.expect.error)
        return
      }
      const expected = parseXml(readCorpus('update-out', `${row.expect.result}.xml`))
      expect(withoutWhitespaceText(run(row).root)).toEqual(withoutWhitespaceText(expected.root))
    })
  }
})

describe('libvirt 9.0 refuses modify of DNS records (the baseline default)', () => {
  const cases = [
    { section: 'dns-host', fragment: 'dns-host-modify', base: 'nat-network-dns-hosts', record: 'HOST' },
    {
      section: 'dns-txt',
      fragment: 'dns-txt-record-modify-success',
      base: 'nat-network-dns-txt-record',
      record: 'TXT',
    },
    { section: 'dns-srv', fragment: 'srv-record-modify-few', base: 'nat-network-dns-srv-record', record: 'SRV' },
  ] as const
  for (const c of cases) {
    it(`${c.section} modify`, () => {
      const base = parseXml(readCorpus('out', `${c.base}.xml`))
      const attempt = () =>
        applyNetworkUpdate(base, {
          command: 'modify',
          section: c.section,
          xml: readCorpus('update-in', `${c.fragment}.xml`),
        })
      expect(attempt).toThrowError(
        `Operation not supported: DNS ${c.record} records cannot be modified, only added or deleted`,
      )
    })
  }
})
