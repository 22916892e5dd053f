import { describe, expect, it } from 'vitest'
import { domainCorpusFiles, readDomainCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { parseDomainInterfaces } from '@/lib/libvirt-xml/domain-parse'
import { parseXml } from '@/lib/xml/xml-parse'
import { renderXml } from '@/lib/xml/xml-render'

/*
 * libvirt's own guest XML exercising <interface> (the corpus's domain/ folder): every file reads,
 * with one entry per <interface> of the right type, and survives parse → render → parse.
 * domain-parse.test.ts does the same on the project's own domains/interfaces.xml.
 */

describe('parseDomainInterfaces on the libvirt conformance corpus', () => {
  for (const file of domainCorpusFiles()) {
    it(file, () => {
      const xml = readDomainCorpus(file)
      // Read the types from the raw text, independently of the parser under test.
      const types = [...xml.matchAll(/<interface\s+type=['"]([^'"]+)['"]/g)].map((m) => m[1])
      expect(types.length).toBeGreaterThan(0)
      expect(parseDomainInterfaces(xml).map((nic) => nic.type)).toEqual(types)
      const doc = parseXml(xml, file)
      expect(parseXml(renderXml(doc))).toEqual(doc)
    })
  }
})
