import 'server-only'
import { quoteAttribute, escapeText, type EscapeDialect } from '@/lib/xml/xml-escape'
import { hasElementOnlyContent, type XmlDocument, type XmlElement, type XmlNode } from '@/lib/xml/xml-tree'

/*
 * Renders the tree the way `virsh net-dumpxml` / `dumpxml` print it: two-space indentation,
 * one element per line, empty elements self-closed, text kept inline. Elements whose content
 * mixes text and markup are written inline exactly as stored (no added whitespace), as libxml2
 * does, so text never gains or loses spaces. The `<metadata>` subtree (a child of the root) is
 * written in libxml2's dialect because that is what libvirt itself uses for it.
 */

const INDENT = '  '

export function renderXml(doc: XmlDocument): string {
  let out = ''
  if (doc.declaration)
    out += `<?xml${doc.declaration.map((a) => ` ${a.name}=${quoteAttribute(a.value, 'libxml2')}`).join('')}?>\n`
  for (const node of doc.prolog) out += `${renderInline(node, 'libvirt')}\n`
  out += renderBlock(doc.root, 0, 'libvirt', true)
  for (const node of doc.epilog) out += `${renderInline(node, 'libvirt')}\n`
  return out
}

/** One element (e.g. a `net-update` fragment) at the given depth, ending with a newline. */
export function renderElement(el: XmlElement, depth = 0): string {
  return renderBlock(el, depth, 'libvirt', false)
}

function renderBlock(node: XmlNode, depth: number, dialect: EscapeDialect, isRoot: boolean): string {
  const pad = INDENT.repeat(depth)
  if (node.type !== 'element') return `${pad}${renderInline(node, dialect)}\n`
  if (node.children.length === 0 || !hasElementOnlyContent(node)) return `${pad}${renderInline(node, dialect)}\n`
  let out = `${pad}${openTag(node, dialect)}>\n`
  for (const child of node.children) {
    if (child.type === 'text') continue // indentation only; re-created here
    const childDialect = isRoot && child.type === 'element' && child.name === 'metadata' ? 'libxml2' : dialect
    out += renderBlock(child, depth + 1, childDialect, false)
  }
  return `${out}${pad}</${node.name}>\n`
}

function renderInline(node: XmlNode, dialect: EscapeDialect): string {
  switch (node.type) {
    case 'text':
      return escapeText(node.value, dialect)
    case 'cdata':
      // ']]>' cannot appear inside one CDATA section; split it across two.
      return `<![CDATA[${node.value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`
    case 'comment':
      return `<!--${node.value}-->`
    case 'pi':
      return node.data ? `<?${node.target} ${node.data}?>` : `<?${node.target}?>`
    case 'element':
      if (node.children.length === 0) return `${openTag(node, dialect)}/>`
      return `${openTag(node, dialect)}>${node.children.map((c) => renderInline(c, dialect)).join('')}</${node.name}>`
  }
}

function openTag(el: XmlElement, dialect: EscapeDialect): string {
  return `<${el.name}${el.attributes.map((a) => ` ${a.name}=${quoteAttribute(a.value, dialect)}`).join('')}`
}
