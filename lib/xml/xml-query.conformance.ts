import { describe, expect, it } from 'vitest'
import { readCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, firstChild, namespaceUriOf } from '@/lib/xml/xml-query'
import { element } from '@/lib/xml/xml-tree'

/* namespaceUriOf on libvirt's own test corpus; xml-query.test.ts checks the same on the project's fixtures. */

describe('xml-query on the libvirt conformance corpus', () => {
  it('resolves the namespace of prefixed metadata elements (in/metadata.xml)', () => {
    const root = parseXml(readCorpus('in', 'metadata.xml')).root
    const [foo, bar] = childElements(firstChild(root, 'metadata') ?? element('x'))
    expect(foo && namespaceUriOf(root, foo)).toBe('http://foo.org/')
    expect(bar && namespaceUriOf(root, bar)).toBe('http://bar.com/')
    expect(namespaceUriOf(root, root)).toBeUndefined()
  })

  it('resolves a prefix declared on an ancestor (out/dnsmasq-options.xml)', () => {
    const root = parseXml(readCorpus('out', 'dnsmasq-options.xml')).root
    const options = firstChild(root, 'dnsmasq:options')
    expect(options && namespaceUriOf(root, options)).toBe('http://libvirt.org/schemas/network/dnsmasq/1.0')
  })
})
