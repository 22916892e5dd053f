import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, firstChild, namespaceUriOf, setAttribute, textContent } from '@/lib/xml/xml-query'
import { element } from '@/lib/xml/xml-tree'

describe('xml-query', () => {
  it('resolves the namespace of prefixed metadata elements (recorded libvirt9-metadata-ns.xml)', () => {
    const root = parseXml(readFixture('recorded', 'libvirt9-metadata-ns.xml')).root
    const [state, note] = childElements(firstChild(root, 'metadata') ?? element('x'))
    expect(state && namespaceUriOf(root, state)).toBe('http://app1.example/ns/')
    expect(note && namespaceUriOf(root, note)).toBe('http://app2.example/ns/')
    // Declared on the element's parent, not on the element itself.
    const owner = state && firstChild(state, 'app1:owner')
    expect(owner && namespaceUriOf(root, owner)).toBe('http://app1.example/ns/')
    expect(namespaceUriOf(root, root)).toBeUndefined()
  })

  it('resolves a prefix declared on an ancestor (dnsmasq options, declared on <network>)', () => {
    const root = parseXml(readFixture('recorded', 'libvirt9-metadata-ns.xml')).root
    const options = firstChild(root, 'dnsmasq:options')
    expect(options && namespaceUriOf(root, options)).toBe('http://libvirt.org/schemas/network/dnsmasq/1.0')
    const [option] = options ? childElements(options) : []
    expect(option && namespaceUriOf(root, option)).toBe('http://libvirt.org/schemas/network/dnsmasq/1.0')
  })

  it('resolves a default namespace, its undeclaration, unbound prefixes and elements outside the tree', () => {
    const root = parseXml(readFixture('networks', 'odd-formatting.xml')).root
    const extension = firstChild(root, 'extension')
    const child = extension && firstChild(extension, 'child')
    expect(child && namespaceUriOf(root, child)).toBe('urn:example:default')
    const hint = firstChild(root, 'vendor:hint')
    expect(hint && namespaceUriOf(root, hint)).toBe('urn:example:vendor')
    const doc = parseXml("<a xmlns='urn:a'><b xmlns=''><c/></b><x:d/></a>").root
    const [b, d] = childElements(doc)
    expect(b && namespaceUriOf(doc, b)).toBeUndefined()
    expect(b && namespaceUriOf(doc, childElements(b)[0] ?? b)).toBeUndefined()
    expect(d && namespaceUriOf(doc, d)).toBeUndefined()
    expect(namespaceUriOf(doc, element('c'))).toBeUndefined()
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
