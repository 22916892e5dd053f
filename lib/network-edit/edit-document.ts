import 'server-only'
import { FieldErrors } from '@/lib/core/errors'
import { ParseError } from '@/lib/core/errors'
import { interfaceNameProblem } from '@/lib/addresses/value-rules'
import { readNetworkDocument } from '@/lib/libvirt-xml/network-parse'
import { parseXml } from '@/lib/xml/xml-parse'
import { parseErrorLines } from '@/lib/host-output/libvirt-refusal-lines'
import { editedValueProblems } from '@/lib/network-edit/edited-values'
import { childElements, firstChild, getAttribute, textContent, insertChild } from '@/lib/xml/xml-query'
import { element, text, type XmlDocument } from '@/lib/xml/xml-tree'

/**
 * The operator's edited XML as a document for the same network, or field errors in plain words. Refused here:
 * XML that does not parse, another root than <network>, and a changed name or UUID (that would be a different
 * network, not an edit), a host interface name (the bridge's, the forward devices') that breaks the interface-name
 * rule every form uses, and a new or changed DHCP host, DNS host or portgroup its form would refuse (edited-values.ts). A missing <uuid> gets the current one, as libvirt would otherwise invent a new one and refuse
 * the definition.
 */
export function readEditedNetwork(xml: string, current: XmlDocument): XmlDocument {
  let doc: XmlDocument
  try {
    doc = parseXml(xml, 'the edited XML')
  } catch (error) {
    if (error instanceof ParseError) {
      const message = `The XML does not parse: ${error.message}`
      throw new FieldErrors({ xml: [message] }, undefined, { xml: parseErrorLines(error, error.reason) })
    }
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
  const badNames = interfaceNames(doc).flatMap(({ where, name }) => {
    const problem = name === '' ? `${where} names no interface.` : interfaceNameProblem(name)
    return problem ? [`${where}: ${problem}`] : []
  })
  if (badNames.length) throw new FieldErrors({ xml: badNames })
  const badValues = editedValueProblems(typedView(doc), readNetworkDocument(current))
  if (badValues.length) throw new FieldErrors({ xml: badValues })
  return doc
}

function typedView(doc: XmlDocument) {
  try {
    return readNetworkDocument(doc)
  } catch (error) {
    if (error instanceof ParseError)
      throw new FieldErrors({ xml: [`libvirt would not read this network: ${error.reason}.`] })
    throw error
  }
}

/** The host interfaces a network definition names: its bridge, and the devices its <forward> uses. */
function interfaceNames(doc: XmlDocument): Array<{ where: string; name: string }> {
  const named = (where: string, name: string | undefined) => (name === undefined ? [] : [{ where, name }])
  const forward = firstChild(doc.root, 'forward')
  const bridge = firstChild(doc.root, 'bridge')
  return [
    ...named(`<bridge name>`, bridge && getAttribute(bridge, 'name')),
    ...named(`<forward dev>`, forward && getAttribute(forward, 'dev')),
    ...(forward ? childElements(forward, 'interface') : []).flatMap((el) =>
      named('<forward><interface dev>', getAttribute(el, 'dev')),
    ),
    ...(forward ? childElements(forward, 'pf') : []).flatMap((el) =>
      named('<forward><pf dev>', getAttribute(el, 'dev')),
    ),
  ]
}
