import { describe, expect, it } from 'vitest'
import { ParseError } from '@/lib/core/errors'
import { parseXml, parseXmlKeepingText, XmlParseError } from '@/lib/xml/xml-parse'
import { renderXml } from '@/lib/xml/xml-render'
import type { XmlElement } from '@/lib/xml/xml-tree'

describe('parseXml', () => {
  it('keeps attribute order, quotes of either kind and entity-decoded values', () => {
    const doc = parseXml(`<a z="1" b='x&apos;y' c="&lt;&amp;&gt;&quot;&#65;&#x42;"/>`)
    expect(doc.root.attributes).toEqual([
      { name: 'z', value: '1' },
      { name: 'b', value: "x'y" },
      { name: 'c', value: '<&>"AB' },
    ])
  })

  it('normalises literal tabs/newlines in attribute values to spaces but keeps character references', () => {
    const doc = parseXml(`<a v="x\ty\nz" w="x&#9;y&#10;z"/>`)
    expect(doc.root.attributes).toEqual([
      { name: 'v', value: 'x y z' },
      { name: 'w', value: 'x\ty\nz' },
    ])
  })

  it('drops indentation between element children but keeps text of leaves and mixed content', () => {
    const doc = parseXml(`<r>\n  <ip a='1'>\n  </ip>\n  <m>one <b>two</b> three</m>\n</r>`)
    expect(doc.root.children).toEqual([
      {
        type: 'element',
        name: 'ip',
        attributes: [{ name: 'a', value: '1' }],
        children: [{ type: 'text', value: '\n  ' }],
      },
      {
        type: 'element',
        name: 'm',
        attributes: [],
        children: [
          { type: 'text', value: 'one ' },
          { type: 'element', name: 'b', attributes: [], children: [{ type: 'text', value: 'two' }] },
          { type: 'text', value: ' three' },
        ],
      },
    ])
  })

  it('keeps comments, CDATA and processing instructions in place', () => {
    const doc = parseXml(`<r><!-- c --><![CDATA[ <raw> & ]]><?pi some data?><e/></r>`)
    expect(doc.root.children.map((c) => c.type)).toEqual(['comment', 'cdata', 'pi', 'element'])
    expect(doc.root.children[1]).toEqual({ type: 'cdata', value: ' <raw> & ' })
    expect(doc.root.children[2]).toEqual({ type: 'pi', target: 'pi', data: 'some data' })
  })

  it('keeps prefixed names and namespace declarations as written', () => {
    const doc = parseXml(
      `<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'><dnsmasq:options/></network>`,
    )
    expect(doc.root.attributes[0]).toEqual({
      name: 'xmlns:dnsmasq',
      value: 'http://libvirt.org/schemas/network/dnsmasq/1.0',
    })
    expect(doc.root.children[0]).toMatchObject({ name: 'dnsmasq:options' })
  })

  it('accepts an unbound prefix, as libvirt (libxml2) does', () => {
    expect(parseXml('<a><x:b/></a>').root.children[0]).toMatchObject({ name: 'x:b' })
  })

  it("reads libvirt's config files: a banner comment before the root, CRLF line ends, a BOM", () => {
    const doc = parseXml('\uFEFF<!--\r\nWARNING: generated\r\n-->\r\n\r\n<network><name>x</name></network>\r\n')
    expect(doc.prolog).toEqual([{ type: 'comment', value: '\nWARNING: generated\n' }])
    expect(doc.root.name).toBe('network')
  })

  it('keeps an XML declaration', () => {
    const doc = parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<a/>`)
    expect(doc.declaration).toEqual([
      { name: 'version', value: '1.0' },
      { name: 'encoding', value: 'UTF-8' },
    ])
    expect(renderXml(doc)).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<a/>\n`)
  })

  it('parses very deep nesting without overflowing the stack', () => {
    const depth = 20000
    const doc = parseXml('<a>'.repeat(depth) + '</a>'.repeat(depth))
    expect(doc.root.name).toBe('a')
  })

  const malformed: Array<[string, string, RegExp]> = [
    ['mismatched tags', '<a><b></a>', /closing tag <\/a> does not match <b>/],
    ['unclosed element', '<a><b/>', /<a> is not closed/],
    [
      'unescaped ampersand (libvirt 9.0 writes these in <domain name>)',
      "<domain name='ex&am'ple'/>",
      /'&' must start an entity/,
    ],
    ['unknown entity', '<a>&nbsp;</a>', /unknown entity '&nbsp;'/],
    ['duplicate attribute', `<a x='1' x='2'/>`, /duplicate attribute 'x'/],
    ['unquoted attribute', '<a x=1/>', /attribute value must be quoted/],
    ['< in an attribute', `<a x='<'/>`, /'<' is not allowed in an attribute value/],
    ['DOCTYPE', '<!DOCTYPE a [<!ENTITY e "x">]><a/>', /DOCTYPE declarations are not supported/],
    ['content after the root', '<a/><b/>', /unexpected content after the root element/],
    ['empty input', '   ', /document has no root element/],
    ['control character', '<a>\u0001</a>', /illegal control character U\+0001/],
    ['double hyphen in a comment', '<a><!-- a -- b --></a>', /'--' is not allowed inside a comment/],
    ['illegal character reference', '<a>&#0;</a>', /illegal XML character/],
    ['late XML declaration', '<a><?xml version="1.0"?></a>', /XML declaration is only allowed at the very start/],
  ]
  for (const [what, xml, message] of malformed) {
    it(`rejects ${what} with a positioned XmlParseError`, () => {
      let caught: unknown
      try {
        parseXml(xml, 'test input')
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(XmlParseError)
      expect(caught).toBeInstanceOf(ParseError)
      expect((caught as XmlParseError).message).toMatch(message)
      expect((caught as XmlParseError).message).toMatch(/^test input: .*\(line \d+, column \d+\)$/)
    })
  }

  it('reports the line and column of the problem', () => {
    try {
      parseXml('<a>\n  <b>\n  </c>\n</a>')
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ line: 3, column: 3 })
    }
  })
})

describe('parseXmlKeepingText', () => {
  it('hands back each element exactly as written: quotes, entities, spacing, comments and all', () => {
    const input = `<r>\n  <a  x="1" y='&apos;'>\n    <!-- c -->\n    <b/>\n    <b z = "2" />\n  </a >\n  <c>t&amp;x</c>\n</r>\n`
    const { document, textOf } = parseXmlKeepingText(input)
    expect(document).toEqual(parseXml(input))
    const [a, c] = document.root.children as XmlElement[]
    expect(textOf(a!)).toBe(`<a  x="1" y='&apos;'>\n    <!-- c -->\n    <b/>\n    <b z = "2" />\n  </a >`)
    expect(textOf(a!.children.filter((n) => n.type === 'element')[1] as XmlElement)).toBe('<b z = "2" />')
    expect(textOf(c!)).toBe('<c>t&amp;x</c>')
    expect(textOf(document.root)).toBe(input.trimEnd())
  })

  it('refuses an element of another document', () => {
    expect(() => parseXmlKeepingText('<r/>').textOf(parseXml('<r/>').root)).toThrow(/not an element of this document/)
  })
})
