import 'server-only'
import {
  CHILD_ORDER,
  existingEntryError,
  expectFragment,
  insertAdded,
  isAdd,
  type UpdateContext,
} from '@/lib/libvirt-xml/net-update/network-update-context'
import { NetworkUpdateError } from '@/lib/libvirt-xml/net-update/network-update-types'
import { childElements, getAttribute, removeChild, replaceChild } from '@/lib/xml/xml-query'
import { cloneNode, element, type XmlElement } from '@/lib/xml/xml-tree'
import { withoutWhitespaceText } from '@/lib/xml/xml-normalize'

/*
 * portgroup, after libvirt's virNetworkDefUpdatePortGroup. The portgroup's own content
 * (<vlan>, <virtualport>, <bandwidth>) is carried over from the fragment without validation.
 */

export function updatePortgroup(ctx: UpdateContext): void {
  expectFragment(ctx, 'portgroup')
  const name = getAttribute(ctx.fragment, 'name')
  if (name === undefined) throw new NetworkUpdateError('xml-error', 'Missing required name attribute in portgroup')
  const trust = getAttribute(ctx.fragment, 'trustGuestRxFilters')
  if (trust !== undefined && trust !== 'yes' && trust !== 'no') {
    // Worded as libvirt 9.0 does (recorded: libvirt9-net-update-portgroups/case-08).
    throw new NetworkUpdateError(
      'xml-error',
      `Invalid value for attribute 'trustGuestRxFilters' in element 'portgroup': '${trust}'.`,
    )
  }
  // libvirt only recognises default='yes' (any case); anything else means "not default".
  const isDefault = getAttribute(ctx.fragment, 'default')?.toLowerCase() === 'yes'

  const portgroups = childElements(ctx.root, 'portgroup')
  const found = portgroups.find((pg) => getAttribute(pg, 'name') === name)
  const currentDefault = portgroups.find((pg) => getAttribute(pg, 'default')?.toLowerCase() === 'yes')

  if (!found && (ctx.command === 'modify' || ctx.command === 'delete')) {
    throw new NetworkUpdateError(
      'operation-invalid',
      `couldn't find a portgroup entry in network '${ctx.net}' matching <portgroup name='${name}'>`,
    )
  }
  if (found && isAdd(ctx.command)) throw existingEntryError(ctx, 'portgroup', `<portgroup name='${name}'>`)
  if (ctx.command !== 'delete' && isDefault && currentDefault && currentDefault !== found) {
    throw new NetworkUpdateError(
      'operation-invalid',
      `a different portgroup entry in network '${ctx.net}' is already set as the default. Only one default is allowed.`,
    )
  }

  if (ctx.command === 'delete') {
    removeChild(ctx.root, found as XmlElement)
    return
  }
  const portgroup = portgroupElement(ctx.fragment, name, isDefault, trust)
  if (ctx.command === 'modify') replaceChild(ctx.root, found as XmlElement, portgroup)
  else insertAdded(ctx, ctx.root, portgroup, CHILD_ORDER.network)
}

/** As virPortGroupDefFormat writes it: name, default='yes', trustGuestRxFilters; then vlan, virtualport, bandwidth. */
function portgroupElement(
  fragment: XmlElement,
  name: string,
  isDefault: boolean,
  trust: string | undefined,
): XmlElement {
  const content = ['vlan', 'virtualport', 'bandwidth'].flatMap((child) =>
    childElements(fragment, child)
      .slice(0, 1)
      .map((el) => withoutWhitespaceText(cloneNode(el))),
  )
  return element('portgroup', { name, default: isDefault ? 'yes' : undefined, trustGuestRxFilters: trust }, content)
}
