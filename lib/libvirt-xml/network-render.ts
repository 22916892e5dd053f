import 'server-only'
import { NetworkXmlError } from '@/lib/libvirt-xml/network-parse'
import { renderXml } from '@/lib/xml/xml-render'
import type { XmlDocument } from '@/lib/xml/xml-tree'

/** Network XML text for `virsh net-define` / display, in libvirt's formatting style. */
export function renderNetworkXml(doc: XmlDocument): string {
  if (doc.root.name !== 'network') throw new NetworkXmlError(`root element is <${doc.root.name}>, expected <network>`)
  return renderXml(doc)
}
