import 'server-only'
import { ParseError } from '@/lib/core/errors'
import { NetworkXmlError } from '@/lib/libvirt-xml/network-parse'
import {
  networkName,
  type UpdateCommand,
  type UpdateContext,
} from '@/lib/libvirt-xml/net-update/network-update-context'
import { updateDhcpHost, updateDhcpRange } from '@/lib/libvirt-xml/net-update/network-update-dhcp'
import { updateDnsHost, updateDnsSrv, updateDnsTxt } from '@/lib/libvirt-xml/net-update/network-update-dns'
import { updateForwardInterface } from '@/lib/libvirt-xml/net-update/network-update-forward'
import { updatePortgroup } from '@/lib/libvirt-xml/net-update/network-update-portgroup'
import {
  NetworkUpdateError,
  type NetworkUpdateOptions,
  type NetworkUpdateRequest,
  type NetworkUpdateSection,
} from '@/lib/libvirt-xml/net-update/network-update-types'
import { parseXml } from '@/lib/xml/xml-parse'
import { cloneDocument, cloneNode, type XmlDocument, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * A model of `virsh net-update NET COMMAND SECTION XML [--parent-index N]`: returns the network
 * document as libvirt would hold it afterwards, or throws NetworkUpdateError in the cases where
 * libvirt refuses, with libvirt's wording. It lets the app validate and preview a change before
 * running virsh, and keep its own copy of the XML in step. The input document is not modified.
 *
 * Only the updated section is rewritten, in libvirt's canonical form (attribute order,
 * canonical IP spelling); the rest of the document is kept as it was.
 */

const HANDLERS: Partial<Record<NetworkUpdateSection, (ctx: UpdateContext) => void>> = {
  'ip-dhcp-host': updateDhcpHost,
  'ip-dhcp-range': updateDhcpRange,
  'dns-host': updateDnsHost,
  'dns-txt': updateDnsTxt,
  'dns-srv': updateDnsSrv,
  portgroup: updatePortgroup,
  'forward-interface': updateForwardInterface,
}

// libvirt's names for the sections it never lets you update.
const UNSUPPORTED_NAMES: Partial<Record<NetworkUpdateSection, string>> = {
  bridge: 'bridge',
  domain: 'domain',
  ip: 'ip',
  forward: 'forward',
  'forward-pf': 'forward pf',
}

export function applyNetworkUpdate(
  doc: XmlDocument,
  request: NetworkUpdateRequest,
  options: NetworkUpdateOptions = {},
): XmlDocument {
  if (doc.root.name !== 'network') throw new NetworkXmlError(`root element is <${doc.root.name}>, expected <network>`)
  const result = cloneDocument(doc)
  const net = networkName(result.root)
  const fragment = typeof request.xml === 'string' ? parseFragment(request.xml) : cloneNode(request.xml)
  const unsupported = UNSUPPORTED_NAMES[request.section]
  const handler = HANDLERS[request.section]
  if (unsupported !== undefined || !handler) {
    throw new NetworkUpdateError(
      'operation-unsupported',
      `can't update '${unsupported ?? request.section}' section of network '${net}'`,
    )
  }
  const command: UpdateCommand = request.command === 'add' ? 'add-last' : request.command
  handler({ root: result.root, net, command, parentIndex: request.parentIndex ?? -1, fragment, options })
  return result
}

/** libvirt reports a malformed fragment as "network_update_xml:LINE: reason" (no error-class prefix). */
function parseFragment(xml: string): XmlElement {
  try {
    return parseXml(xml, 'network_update_xml').root
  } catch (error) {
    if (error instanceof ParseError)
      throw new NetworkUpdateError('xml-detail', `network_update_xml:${error.line ?? 1}: ${error.reason}`)
    throw error
  }
}
