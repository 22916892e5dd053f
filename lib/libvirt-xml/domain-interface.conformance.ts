import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { domainInterfaceElements, movedInterfaceXml } from '@/lib/libvirt-xml/domain-interface'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, firstChild } from '@/lib/xml/xml-query'
import type { XmlElement } from '@/lib/xml/xml-tree'
import { lostNodes, sourceOnly, withSourceOf } from '@/lib/test/xml-lost-nodes'

/*
 * Every <interface> of libvirt's own domain test data (tests/qemuxml2argvdata/net-*.xml, kept unmodified in
 * ../shared/conformance/libvirt/domain beside the repository; see its README): each is handed back exactly as
 * written, and a move of each network or bridge interface changes its source (and type) and nothing else. The corpus
 * is read where it lies, never copied into the project.
 */

const repoRoot = path.resolve(import.meta.dirname, '../..')
const corpus = path.resolve(repoRoot, '../shared/conformance/libvirt/domain')
const present = fs.existsSync(corpus)
const files = present
  ? fs
      .readdirSync(corpus)
      .filter((f) => f.endsWith('.xml'))
      .sort()
  : []
const tree = (xml: string): XmlElement => parseXml(xml).root
if (!present) console.warn(`domain-interface conformance skipped: no libvirt corpus at ${corpus}`)

describe.skipIf(!present)(
  present
    ? `moving the interfaces of libvirt's domain test data (${corpus})`
    : `moving the interfaces of libvirt's domain test data: SKIPPED, the corpus is not at ${corpus} (expected at ../shared/conformance from the repository root)`,
  () => {
    it('the corpus has network and bridge interfaces to move', () => {
      const types = files.flatMap((f) => domainInterfaceElements(fs.readFileSync(path.join(corpus, f), 'utf8')))
      expect(files.length).toBeGreaterThan(30)
      expect(types.filter((n) => n.type === 'network').length).toBeGreaterThan(10)
      expect(types.some((n) => n.type === 'bridge')).toBe(true)
    })

    describe.each(files)('%s', (file) => {
      const text = fs.readFileSync(path.join(corpus, file), 'utf8').replace(/\r\n?/g, '\n')
      const nics = domainInterfaceElements(text)
      const parsed = childElements(firstChild(tree(text), 'devices')!, 'interface')

      it('hands back every interface byte for byte as written', () => {
        expect(nics.length).toBe(parsed.length)
        let from = 0
        nics.forEach((nic, i) => {
          const at = text.indexOf(nic.xml, from)
          expect(at, `interface ${i + 1}`).toBeGreaterThanOrEqual(0)
          from = at + nic.xml.length
          expect(tree(nic.xml)).toEqual(parsed[i])
        })
      })

      it('moves each network or bridge interface changing only its source (and type); refuses the others', () => {
        for (const [i, nic] of nics.entries()) {
          const where = `${file}, interface ${i + 1} (type ${nic.type})`
          if (nic.type !== 'network' && nic.type !== 'bridge') {
            expect(() => movedInterfaceXml(nic.xml, { type: 'network', network: 'vnd-conformance' }), where).toThrow(
              /only network and bridge interfaces/,
            )
            continue
          }
          const before = tree(nic.xml)
          for (const to of [
            { type: 'network', network: 'vnd-conformance' },
            { type: 'network', network: 'vnd-conformance', portgroup: 'vnd-pg' },
            { type: 'bridge', bridge: 'vndconfbr0' },
          ] as const) {
            const after = tree(movedInterfaceXml(nic.xml, to))
            expect(lostNodes(before, after, sourceOnly), where).toEqual([])
            expect(lostNodes(after, before, sourceOnly), where).toEqual([])
            expect(after, where).toEqual(withSourceOf(before, after))
            expect(after.attributes.find((a) => a.name === 'type')?.value, where).toBe(to.type)
          }
          // There and back on the same kind of source gives the element that was read.
          const back =
            nic.type === 'network'
              ? movedInterfaceXml(movedInterfaceXml(nic.xml, { type: 'network', network: 'vnd-conformance' }), {
                  type: 'network',
                  network: firstChild(before, 'source')!.attributes.find((a) => a.name === 'network')!.value,
                })
              : movedInterfaceXml(movedInterfaceXml(nic.xml, { type: 'bridge', bridge: 'vndconfbr0' }), {
                  type: 'bridge',
                  bridge: firstChild(before, 'source')!.attributes.find((a) => a.name === 'bridge')!.value,
                })
          expect(tree(back), where).toEqual(before)
        }
      })
    })
  },
)
