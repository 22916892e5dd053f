import { describe, expect, it } from 'vitest'
import { readCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { parseXml } from '@/lib/xml/xml-parse'
import { applyNetworkUpdate } from '@/lib/libvirt-xml/net-update/network-update'
import { withoutWhitespaceText } from '@/lib/xml/xml-normalize'
import { classifyNetworkEdit } from '@/lib/network-edit/classify'

/* classifyNetworkEdit on libvirt's own before/after pairs; classify.test.ts does the same with libvirt 9.0 recordings. */

const out = (file: string) => parseXml(readCorpus('out', `${file}.xml`))
const updateOut = (file: string) => parseXml(readCorpus('update-out', `${file}.xml`))

describe('classifyNetworkEdit on the libvirt conformance corpus', () => {
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
})
