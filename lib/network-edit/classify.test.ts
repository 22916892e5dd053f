import { describe, expect, it } from 'vitest'
import { readCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { parseXml } from '@/lib/xml/xml-parse'
import { applyNetworkUpdate } from '@/lib/libvirt-xml/net-update/network-update'
import { withoutWhitespaceText } from '@/lib/xml/xml-normalize'
import { classifyNetworkEdit } from '@/lib/network-edit/classify'
import { diffLines, hasChanges } from '@/lib/network-edit/diff'
import { readEditedNetwork } from '@/lib/network-edit/edit-document'
import { FieldErrors } from '@/lib/core/errors'

const out = (file: string) => parseXml(readCorpus('out', `${file}.xml`))
const updateOut = (file: string) => parseXml(readCorpus('update-out', `${file}.xml`))
const nat = `<network>
  <name>edit-me</name>
  <uuid>11111111-2222-4333-8444-555555555555</uuid>
  <forward mode='nat'/>
  <bridge name='virbr9' stp='on' delay='0'/>
  <ip address='10.9.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.9.0.2' end='10.9.0.254'/>
      <host mac='52:54:00:00:00:01' ip='10.9.0.10'/>
    </dhcp>
  </ip>
</network>
`

describe('classifyNetworkEdit', () => {
  // libvirt's own before/after pairs (update-out/): each differs by what one net-update did, so each is a live edit,
  // and replaying Virtnet's update commands on its model reproduces libvirt's result exactly.
  const pairs: Array<[string, () => ReturnType<typeof out>, string]> = [
    ['dhcp host added', () => out('nat-network'), 'nat-network-hosts'],
    ['dhcp host modified', () => out('nat-network'), 'nat-network-host-updated'],
    ['dhcp host deleted', () => out('nat-network'), 'nat-network-one-host'],
    ['dhcp range deleted', () => out('nat-network'), 'nat-network-no-range'],
    ['portgroup added', () => out('openvswitch-net'), 'openvswitch-net-more-portgroups'],
    ['portgroup deleted', () => out('openvswitch-net'), 'openvswitch-net-without-alice'],
    ['dns srv records added', () => updateOut('nat-network-dns-srv-record'), 'nat-network-dns-srv-records'],
    ['forward interface removed', () => updateOut('nat-network-forward-ifaces'), 'nat-network-no-forward-ifaces'],
  ]
  for (const [label, before, after] of pairs) {
    it(`${label}: live, and the model replays to libvirt's ${after}.xml`, () => {
      const edit = classifyNetworkEdit(before(), updateOut(after))
      expect(edit.kind).toBe('live')
      if (edit.kind !== 'live') return
      let doc = before()
      for (const update of edit.updates) doc = applyNetworkUpdate(doc, update)
      expect(withoutWhitespaceText(doc.root)).toEqual(withoutWhitespaceText(updateOut(after).root))
    })
  }

  it('a changed DHCP host is one modify in place, undone by modifying it back', () => {
    const edit = classifyNetworkEdit(parseXml(nat), parseXml(nat.replace("ip='10.9.0.10'", "ip='10.9.0.11'")))
    expect(edit).toEqual({
      kind: 'live',
      updates: [
        {
          command: 'modify',
          section: 'ip-dhcp-host',
          parentIndex: 0,
          xml: "<host mac='52:54:00:00:00:01' ip='10.9.0.11'/>",
          previous: "<host mac='52:54:00:00:00:01' ip='10.9.0.10'/>",
        },
      ],
    })
  })

  it('an <ip>, <mtu> or <domain> change needs a restart and says what changed', () => {
    expect(classifyNetworkEdit(parseXml(nat), parseXml(nat.replace('10.9.0.1', '10.9.0.3')))).toEqual({
      kind: 'restart',
      reasons: ['<ip> changed'],
    })
    expect(
      classifyNetworkEdit(parseXml(nat), parseXml(nat.replace('</network>', "  <mtu size='9000'/>\n</network>"))),
    ).toEqual({ kind: 'restart', reasons: ['<mtu> changed'] })
    const both = classifyNetworkEdit(
      parseXml(nat),
      parseXml(nat.replace('</network>', "<domain name='lab'/></network>").replace("ip='10.9.0.10'", "ip='10.9.0.12'")),
    )
    expect(both).toEqual({ kind: 'restart', reasons: ['<domain> changed'] })
  })

  it('indentation and attribute order are no change', () => {
    const reordered = nat
      .replace("<bridge name='virbr9' stp='on' delay='0'/>", "<bridge delay='0' stp='on' name='virbr9'/>")
      .replaceAll('\n  ', '\n    ')
    expect(classifyNetworkEdit(parseXml(nat), parseXml(reordered))).toEqual({ kind: 'none' })
  })
})

describe('readEditedNetwork', () => {
  it('refuses XML that does not parse, another root, a rename or another UUID, as field errors', () => {
    const current = parseXml(nat)
    for (const bad of [
      '<network><name>edit-me',
      '<domain/>',
      nat.replace('edit-me', 'other'),
      nat.replace('11111111', '99999999'),
    ]) {
      expect(() => readEditedNetwork(bad, current)).toThrow(FieldErrors)
    }
  })
  it('puts the current UUID back when the edit leaves it out', () => {
    const edited = readEditedNetwork(nat.replace(/ *<uuid>.*<\/uuid>\n/, ''), parseXml(nat))
    expect(classifyNetworkEdit(parseXml(nat), edited)).toEqual({ kind: 'none' })
  })
})

describe('diffLines', () => {
  it('marks added and removed lines and keeps the rest', () => {
    const diff = diffLines('a\nb\nc\n', 'a\nB\nc\nd\n')
    expect(diff).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'added', text: 'B' },
      { kind: 'removed', text: 'b' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ])
    expect(hasChanges(diffLines('x\n', 'x\n'))).toBe(false)
  })
})
