import { describe, expect, it } from 'vitest'
import { corpusFiles, readCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { renderNetworkXml } from '@/lib/libvirt-xml/network-render'

/* parseNetworkXml on libvirt's own test corpus; network-parse.test.ts checks the same on the project's fixtures. */

describe('parseNetworkXml on the libvirt conformance corpus', () => {
  it('derives the prefix from netmask, or from the libvirt default when neither is given', () => {
    const net = parseNetworkXml(readCorpus('out', 'nat-network.xml'))
    expect(net.ips.map((ip) => [ip.address, ip.prefix])).toEqual([
      ['192.168.122.1', 24],
      ['192.168.123.1', 24],
      ['2001:db8:ac10:fe01::1', 64],
      ['2001:db8:ac10:fd01::1', 64],
      ['10.24.10.1', 8], // no netmask: classful (class A)
    ])
  })

  it('reads hostdev pools (PCI addresses, pf, managed, driver)', () => {
    expect(parseNetworkXml(readCorpus('in', 'hostdev.xml')).forward).toMatchObject({
      mode: 'hostdev',
      managed: true,
      addresses: [{ domain: '0x0000', bus: '0x03', slot: '0x00', function: '0x1' }, {}, {}, {}],
    })
    expect(parseNetworkXml(readCorpus('out', 'hostdev-pf.xml')).forward).toMatchObject({
      mode: 'hostdev',
      driver: 'vfio',
      pf: ['eth2'],
    })
  })

  it('treats <forward/> without mode as nat, as libvirt does', () => {
    expect(parseNetworkXml(readCorpus('in', 'netboot-network.xml')).forward?.mode).toBe('nat')
  })

  it('reads every network file of the conformance corpus', () => {
    for (const folder of ['in', 'out', 'update-out'] as const) {
      for (const file of corpusFiles(folder)) {
        const net = parseNetworkXml(readCorpus(folder, file))
        expect(net.name, `${folder}/${file}`).not.toBe('')
        // The view keeps the tree it came from; rendering it is lossless.
        expect(parseNetworkXml(renderNetworkXml(net.doc)).doc).toEqual(net.doc)
      }
    }
  })
})
