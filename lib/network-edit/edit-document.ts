import 'server-only'
import { FieldErrors } from '@/lib/core/errors'
import { ParseError } from '@/lib/core/errors'
import { parseXml } from '@/lib/xml/xml-parse'
import { firstChild, textContent, insertChild } from '@/lib/xml/xml-query'
import { element, text, type XmlDocument } from '@/lib/xml/xml-tree'

/**
 * The operator's edited XML as a document for the same network, or field errors in plain words. Refused here:
 * XML that does not parse, another root than <network>, and a changed name or UUID (that would be a different
 * network, not an edit). A missing <uuid> gets the current one, as libvirt would otherwise invent a new one and
 * refuse the definition.
 */
export function readEditedNetwork(xml: string, current: XmlDocument): XmlDocument {
  let doc: XmlDocument
  try {
    doc = parseXml(xml, 'the edited XML')
  } catch (error) {
    if (error instanceof ParseError) throw new FieldErrors({ xml: [`The XML does not parse: ${error.message}`] })
    throw error
  }
  if (doc.root.name !== 'network')
    throw new FieldErrors({ xml: [`The root element must be <network>, not <${doc.root.name}>.`] })
  const nameOf = (d: XmlDocument) => textContent(firstChild(d.root, 'name') ?? element('name')).trim()
  const uuidOf = (d: XmlDocument) =>
    textContent(firstChild(d.root, 'uuid') ?? element('uuid'))
      .trim()
      .toLowerCase()
  if (nameOf(doc) !== nameOf(current)) {
    throw new FieldErrors({
      xml: [`The <name> must stay ${nameOf(current)}; renaming means defining a new network and removing this one.`],
    })
  }
  if (!firstChild(doc.root, 'uuid') && uuidOf(current)) {
    const nameIndex = doc.root.children.findIndex((child) => child.type === 'element' && child.name === 'name')
    insertChild(doc.root, nameIndex + 1, element('uuid', {}, [text(uuidOf(current))]))
  } else if (uuidOf(doc) !== uuidOf(current)) {
    throw new FieldErrors({ xml: [`The <uuid> must stay ${uuidOf(current)}; libvirt identifies the network by it.`] })
  }
  return doc
}
