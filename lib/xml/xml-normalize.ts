import 'server-only'
import { isWhitespaceOnly, type XmlDocument, type XmlElement, type XmlNode } from '@/lib/xml/xml-tree'

/**
 * Copy of `el` without whitespace-only text nodes anywhere. Used for semantic comparison, where
 * libvirt's `<ip ...>\n  </ip>` (9.0 formatter) and `<ip .../>` (newer formatter) mean the same.
 */
export function withoutWhitespaceText(el: XmlElement): XmlElement {
  return {
    type: 'element',
    name: el.name,
    attributes: el.attributes.map((a) => ({ ...a })),
    children: el.children
      .filter((c) => !(c.type === 'text' && isWhitespaceOnly(c.value)))
      .map((c: XmlNode) => (c.type === 'element' ? withoutWhitespaceText(c) : { ...c })),
  }
}

export function documentWithoutWhitespaceText(doc: XmlDocument): XmlDocument {
  return { ...doc, root: withoutWhitespaceText(doc.root) }
}
