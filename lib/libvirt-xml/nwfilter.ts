import 'server-only'
import { ParseError } from '@/lib/core/errors'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements, getAttribute } from '@/lib/xml/xml-query'

/* libvirt's network filter documents (`virsh nwfilter-dumpxml`): what the filter pages need of them. */

const SOURCE = 'network filter XML'

/** The filters a filter includes with <filterref filter=…/>. */
export function filterReferences(xml: string): string[] {
  if (!xml.trim()) return []
  const root = parseXml(xml, SOURCE).root
  return childElements(root, 'filterref').flatMap((ref) => {
    const name = getAttribute(ref, 'filter')
    return name ? [name] : []
  })
}

/** The name an edited filter document gives itself; it must be a <filter> with a name. */
export function nwfilterName(xml: string): string {
  const root = parseXml(xml, SOURCE).root
  if (root.name !== 'filter') throw new ParseError(SOURCE, `root element is <${root.name}>, expected <filter>`)
  const name = getAttribute(root, 'name')
  if (!name) throw new ParseError(SOURCE, '<filter> has no name')
  return name
}
