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
import {
  childElements,
  firstChild,
  getAttribute,
  removeAttribute,
  removeChild,
  setAttribute,
} from '@/lib/xml/xml-query'
import { element, type XmlElement } from '@/lib/xml/xml-tree'

/* forward-interface, after libvirt's virNetworkDefUpdateForwardInterface. */

export function updateForwardInterface(ctx: UpdateContext): void {
  expectFragment(ctx, 'interface')
  if (ctx.command === 'modify') {
    throw new NetworkUpdateError(
      'operation-unsupported',
      'forward interface entries cannot be modified, only added or deleted',
    )
  }
  const dev = getAttribute(ctx.fragment, 'dev')
  if (dev === undefined) throw new NetworkUpdateError('xml-error', 'missing dev attribute in <interface> element')
  const forward = firstChild(ctx.root, 'forward')
  const found = forward ? childElements(forward, 'interface').find((el) => getAttribute(el, 'dev') === dev) : undefined

  if (isAdd(ctx.command)) {
    if (found) throw existingEntryError(ctx, 'interface', `<interface dev='${dev}'>`)
    // libvirt accepts this on a network without <forward> but never writes the pool out
    // (no forward mode, no <forward> element), so the visible result is unchanged.
    if (!forward) return
    insertAdded(ctx, forward, element('interface', { dev }), CHILD_ORDER.forward)
    syncForwardDev(forward)
    checkForwardPool(ctx, forward)
    return
  }

  if (!forward || !found) {
    throw new NetworkUpdateError(
      'operation-invalid',
      `couldn't find an interface entry in network '${ctx.net}' matching <interface dev='${dev}'>`,
    )
  }
  // Only the live XML of an active network carries connections=.
  const connections = Number(getAttribute(found, 'connections') ?? '0')
  if (connections > 0) {
    throw new NetworkUpdateError(
      'operation-invalid',
      `unable to delete interface '${dev}' in network '${ctx.net}'. It is currently being used by ${connections} domains.`,
    )
  }
  removeChild(forward, found)
  syncForwardDev(forward)
}

/**
 * The daemon re-parses the whole definition after an update, so the forward-mode rules of
 * virNetworkDefParseXML apply: nat/route/open take at most one interface, open takes none.
 */
function checkForwardPool(ctx: UpdateContext, forward: XmlElement): void {
  const mode = getAttribute(forward, 'mode') ?? 'nat'
  const count = childElements(forward, 'interface').length
  if ((mode === 'nat' || mode === 'route' || mode === 'open') && count > 1) {
    throw new NetworkUpdateError(
      'xml-error',
      `multiple forwarding interfaces specified for network '${ctx.net}', only one is supported`,
    )
  }
  if (mode === 'open' && count > 0) {
    throw new NetworkUpdateError(
      'xml-error',
      `forward dev not allowed for network '${ctx.net}' with forward mode='open'`,
    )
  }
}

/**
 * libvirt writes <forward dev=...> from the first pool interface (unless a <pf> is given), so
 * the attribute follows the pool: it changes with add-first and disappears with the last entry.
 */
function syncForwardDev(forward: XmlElement): void {
  if (firstChild(forward, 'pf')) return
  const first = childElements(forward, 'interface')[0]
  const dev = first && getAttribute(first, 'dev')
  if (dev === undefined) removeAttribute(forward, 'dev')
  else setAttribute(forward, 'dev', dev, ['mode', 'managed'])
}
