import { describe, expect, it } from 'vitest'
import { readCorpus } from '@/lib/test/fixtures/conformance-corpus'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, firstChild, namespaceUriOf, setAttribute, textContent } from '@/lib/xml/xml-query'
import { element } from '@/lib/xml/xml-tree'

describe('xml-query', () => {
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

  it('sets a new attribute before the given ones, keeping an existing one in place', () => {
    const el = element('forward', { mode: 'nat' })
    setAttribute(el, 'dev', 'eth0', ['mode'])
    setAttribute(el, 'mode', 'route')
    expect(el.attributes).toEqual([
      { name: 'dev', value: 'eth0' },
      { name: 'mode', value: 'route' },
    ])
  })

  it('textContent joins text and CDATA', () => {
    expect(textContent(parseXml('<a>x<![CDATA[<y>]]><b>z</b></a>').root)).toBe('x<y>z')
  })
})
