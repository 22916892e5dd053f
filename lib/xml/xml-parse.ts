import 'server-only'
import { ParseError } from '@/lib/core/errors'
import {
  hasElementOnlyContent,
  type XmlAttribute,
  type XmlDocument,
  type XmlElement,
  type XmlMiscNode,
  type XmlNode,
} from '@/lib/xml/xml-tree'

/*
 * A strict, non-validating XML 1.0 parser producing the lossless tree of xml-tree.ts.
 * Written by hand (instead of a DOM library) so that CDATA, comment placement, attribute order
 * and error positions are fully under our control. DOCTYPE declarations are refused: libvirt
 * never produces them, and refusing them rules out entity-expansion tricks in pasted XML.
 * Unbound namespace prefixes are accepted because libvirt (libxml2) accepts them too.
 */

export class XmlParseError extends ParseError {
  constructor(source: string, message: string, line: number, column: number) {
    super(source, message, { line, column })
    this.name = 'XmlParseError'
  }
}

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}'
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy')
const WHITESPACE = /[ \t\n]*/y
// Characters XML 1.0 forbids anywhere in a document (after line-end normalisation).
const FORBIDDEN_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/
const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

export function parseXml(input: string, source = 'XML document'): XmlDocument {
  return new XmlParser(input, source).parseDocument()
}

/** A parsed document together with the exact text each of its elements was read from. */
export type XmlDocumentWithText = {
  document: XmlDocument
  /** The element's markup exactly as written, from its '<' to the '>' that closes it (line ends read as \n). */
  textOf(el: XmlElement): string
  /** The 1-based line the element's start tag begins on, so a message about it can point into the text. */
  lineOf(el: XmlElement): number
}

/**
 * parseXml that also remembers where every element was written, so a caller can hand back an element byte for byte
 * as it was read (an undo that restores exactly what was there) instead of a re-rendering of it.
 */
export function parseXmlKeepingText(input: string, source = 'XML document'): XmlDocumentWithText {
  const parser = new XmlParser(input, source, new Map())
  const document = parser.parseDocument()
  const spanOf = (el: XmlElement) => {
    const span = parser.spans?.get(el)
    if (!span) throw new Error(`<${el.name}> is not an element of this document`)
    return span
  }
  return {
    document,
    textOf: (el) => parser.text.slice(spanOf(el).start, spanOf(el).end),
    lineOf: (el) => parser.text.slice(0, spanOf(el).start).split('\n').length,
  }
}

class XmlParser {
  private readonly src: string
  private pos = 0

  get text(): string {
    return this.src
  }

  constructor(
    input: string,
    private readonly source: string,
    /** Where each element starts and ends in `text`, when the caller asked for it. */
    readonly spans?: Map<XmlElement, { start: number; end: number }>,
  ) {
    // XML end-of-line handling: every \r\n and lone \r becomes \n before parsing.
    this.src = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  }

  parseDocument(): XmlDocument {
    const declaration =
      this.src.startsWith('<?xml') && /^<\?xml[ \t\n?]/.test(this.src) ? this.parseDeclaration() : undefined
    const prolog = this.parseMisc()
    if (this.src.startsWith('<!DOCTYPE', this.pos)) this.fail('DOCTYPE declarations are not supported')
    if (this.src[this.pos] !== '<')
      this.fail(this.pos >= this.src.length ? 'document has no root element' : 'expected the root element')
    const root = this.parseElementTree()
    const epilog = this.parseMisc()
    if (this.pos < this.src.length) this.fail('unexpected content after the root element')
    return { ...(declaration ? { declaration } : {}), prolog, root, epilog }
  }

  private parseDeclaration(): XmlAttribute[] {
    this.pos = '<?xml'.length
    const attributes = this.parseAttributes('?>')
    this.expect('?>')
    if (!attributes.some((a) => a.name === 'version')) this.fail('XML declaration lacks version')
    return attributes
  }

  /** Comments, PIs and whitespace around the root element. */
  private parseMisc(): XmlMiscNode[] {
    const nodes: XmlMiscNode[] = []
    for (;;) {
      this.skipWhitespace()
      if (this.src.startsWith('<!--', this.pos)) nodes.push(this.parseComment())
      else if (this.src.startsWith('<?', this.pos)) nodes.push(this.parseProcessingInstruction())
      else return nodes
    }
  }

  /** Iterative (not recursive) so deeply nested input cannot overflow the call stack. */
  private parseElementTree(): XmlElement {
    const root = this.parseStartTag()
    if (root.selfClosing) return root.element
    const stack: XmlElement[] = [root.element]
    while (stack.length > 0) {
      const current = stack[stack.length - 1] as XmlElement
      if (this.pos >= this.src.length) this.fail(`unexpected end of document: <${current.name}> is not closed`)
      if (this.src.startsWith('</', this.pos)) {
        this.closeElement(current)
        stack.pop()
      } else if (this.src.startsWith('<!--', this.pos)) {
        current.children.push(this.parseComment())
      } else if (this.src.startsWith('<![CDATA[', this.pos)) {
        current.children.push(this.parseCData())
      } else if (this.src.startsWith('<?', this.pos)) {
        current.children.push(this.parseProcessingInstruction())
      } else if (this.src.startsWith('<!', this.pos)) {
        this.fail('markup declarations are not allowed inside elements')
      } else if (this.src[this.pos] === '<') {
        const child = this.parseStartTag()
        current.children.push(child.element)
        if (!child.selfClosing) stack.push(child.element)
      } else {
        this.appendText(current.children, this.parseCharData())
      }
    }
    return root.element
  }

  private parseStartTag(): { element: XmlElement; selfClosing: boolean } {
    const start = this.pos
    this.pos++ // '<'
    const name = this.parseName('element name')
    const attributes = this.parseAttributes('>')
    const selfClosing = this.src.startsWith('/>', this.pos)
    if (selfClosing) this.pos += 2
    else this.expect('>')
    const element: XmlElement = { type: 'element', name, attributes, children: [] }
    // An open element's end is filled in when its closing tag is read.
    this.spans?.set(element, { start, end: this.pos })
    return { element, selfClosing }
  }

  private closeElement(el: XmlElement): void {
    const start = this.pos
    this.pos += 2 // '</'
    const name = this.parseName('closing tag name')
    if (name !== el.name) {
      this.pos = start
      this.fail(`closing tag </${name}> does not match <${el.name}>`)
    }
    this.skipWhitespace()
    this.expect('>')
    const span = this.spans?.get(el)
    if (span) span.end = this.pos
    // Indentation between element children is layout, not content (see xml-tree.ts).
    if (hasElementOnlyContent(el)) el.children = el.children.filter((c) => c.type !== 'text')
  }

  private parseAttributes(terminator: '>' | '?>'): XmlAttribute[] {
    const attributes: XmlAttribute[] = []
    for (;;) {
      const before = this.pos
      this.skipWhitespace()
      const c = this.src[this.pos]
      if (c === undefined) this.fail('unexpected end of document inside a tag')
      if (this.src.startsWith(terminator, this.pos) || (terminator === '>' && this.src.startsWith('/>', this.pos)))
        return attributes
      if (this.pos === before) this.fail('expected whitespace before attribute')
      const nameAt = this.pos
      const name = this.parseName('attribute name')
      this.skipWhitespace()
      this.expect('=')
      this.skipWhitespace()
      const value = this.parseAttributeValue()
      if (attributes.some((a) => a.name === name)) {
        this.pos = nameAt
        this.fail(`duplicate attribute '${name}'`)
      }
      attributes.push({ name, value })
    }
  }

  private parseAttributeValue(): string {
    const quote = this.src[this.pos]
    if (quote !== '"' && quote !== "'") this.fail('attribute value must be quoted')
    this.pos++
    let value = ''
    for (;;) {
      const c = this.src[this.pos]
      if (c === undefined) this.fail('unexpected end of document inside an attribute value')
      if (c === quote) {
        this.pos++
        return value
      }
      if (c === '<') this.fail("'<' is not allowed in an attribute value")
      if (c === '&') {
        value += this.parseReference()
      } else {
        this.checkChar(c)
        // Attribute-value normalisation (XML 1.0 §3.3.3): literal tab/newline read as a space.
        value += c === '\t' || c === '\n' ? ' ' : c
        this.pos++
      }
    }
  }

  private parseCharData(): string {
    let value = ''
    for (;;) {
      const c = this.src[this.pos]
      if (c === undefined || c === '<') return value
      if (c === '&') {
        value += this.parseReference()
        continue
      }
      if (c === ']' && this.src.startsWith(']]>', this.pos)) this.fail("']]>' is not allowed in text")
      this.checkChar(c)
      value += c
      this.pos++
    }
  }

  private parseReference(): string {
    const end = this.src.indexOf(';', this.pos)
    if (end < 0 || end - this.pos > 12) this.fail("'&' must start an entity or character reference (write &amp;)")
    const body = this.src.slice(this.pos + 1, end)
    let resolved: string | undefined
    if (/^#[0-9]+$/.test(body)) resolved = this.charFromCode(Number.parseInt(body.slice(1), 10))
    else if (/^#x[0-9a-fA-F]+$/.test(body)) resolved = this.charFromCode(Number.parseInt(body.slice(2), 16))
    else resolved = PREDEFINED_ENTITIES[body]
    if (resolved === undefined)
      this.fail(`unknown entity '&${body};' (only the five predefined XML entities are supported)`)
    this.pos = end + 1
    return resolved
  }

  private charFromCode(code: number): string {
    const legal =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff)
    if (!legal) this.fail(`character reference to an illegal XML character (code ${code})`)
    return String.fromCodePoint(code)
  }

  private parseComment(): XmlNode & XmlMiscNode {
    const start = this.pos + 4
    const end = this.src.indexOf('-->', start)
    if (end < 0) this.fail('comment is not closed')
    const value = this.src.slice(start, end)
    this.pos = start
    if (value.includes('--') || value.endsWith('-')) this.fail("'--' is not allowed inside a comment")
    this.checkText(value)
    this.pos = end + 3
    return { type: 'comment', value }
  }

  private parseCData(): XmlNode {
    const start = this.pos + '<![CDATA['.length
    const end = this.src.indexOf(']]>', start)
    if (end < 0) this.fail('CDATA section is not closed')
    const value = this.src.slice(start, end)
    this.pos = start
    this.checkText(value)
    this.pos = end + 3
    return { type: 'cdata', value }
  }

  private parseProcessingInstruction(): XmlNode & XmlMiscNode {
    this.pos += 2
    const target = this.parseName('processing instruction target')
    if (target.toLowerCase() === 'xml')
      this.fail('an XML declaration is only allowed at the very start of the document')
    const end = this.src.indexOf('?>', this.pos)
    if (end < 0) this.fail('processing instruction is not closed')
    const raw = this.src.slice(this.pos, end)
    if (raw.length > 0 && !/^[ \t\n]/.test(raw))
      this.fail('expected whitespace after the processing instruction target')
    this.checkText(raw)
    this.pos = end + 2
    return { type: 'pi', target, data: raw.replace(/^[ \t\n]+/, '') }
  }

  private parseName(what: string): string {
    NAME.lastIndex = this.pos
    const match = NAME.exec(this.src)
    if (!match) this.fail(`expected ${what}`)
    this.pos += match[0].length
    return match[0]
  }

  private appendText(children: XmlNode[], value: string): void {
    const last = children[children.length - 1]
    if (last?.type === 'text') last.value += value
    else children.push({ type: 'text', value })
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos
    WHITESPACE.exec(this.src)
    this.pos = WHITESPACE.lastIndex
  }

  private expect(token: string): void {
    if (!this.src.startsWith(token, this.pos)) this.fail(`expected '${token}'`)
    this.pos += token.length
  }

  private checkChar(c: string): void {
    if (FORBIDDEN_CHAR.test(c))
      this.fail(`illegal control character U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`)
  }

  private checkText(value: string): void {
    const bad = FORBIDDEN_CHAR.exec(value)
    if (bad) {
      this.pos += bad.index
      this.checkChar(bad[0])
    }
  }

  private fail(message: string): never {
    const before = this.src.slice(0, this.pos)
    const line = before.split('\n').length
    const column = this.pos - before.lastIndexOf('\n')
    throw new XmlParseError(this.source, message, line, column)
  }
}
