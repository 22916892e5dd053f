import 'server-only'
import { can, type Role } from '@/lib/auth/roles'
import { renderElement } from '@/lib/xml/xml-render'
import type { XmlDocument, XmlElement } from '@/lib/xml/xml-tree'
import { childElements } from '@/lib/xml/xml-query'

/*
 * libvirt passes <dnsmasq:options> of a network straight into the dnsmasq configuration it runs as root on the host:
 * a `dhcp-script=` there is a program run as root on every lease event, `conf-file=` reads any file. So that part of a
 * network is an administrator's to write; anyone else may edit the rest of the XML as long as it stays as it was.
 */

/** libvirt's namespace for raw dnsmasq options in a network definition (libvirt matches it by this URI, any prefix). */
export const dnsmasqNamespace = 'http://libvirt.org/schemas/network/dnsmasq/1.0'

/** Every element of `doc` in the dnsmasq namespace (with what it holds), rendered, in document order. */
export function dnsmasqContent(doc: XmlDocument): string[] {
  const found: string[] = []
  const visit = (el: XmlElement, scope: ReadonlyMap<string, string>) => {
    const declared = el.attributes.filter((a) => a.name === 'xmlns' || a.name.startsWith('xmlns:'))
    const inScope = declared.length
      ? new Map([...scope, ...declared.map((a) => [a.name.slice(6), a.value] as const)])
      : scope
    const colon = el.name.indexOf(':')
    const uri = inScope.get(colon < 0 ? '' : el.name.slice(0, colon))
    if (uri === dnsmasqNamespace) found.push(renderElement(el))
    else for (const child of childElements(el)) visit(child, inScope)
  }
  visit(doc.root, new Map())
  return found
}

export const dnsmasqRefusal =
  'Only administrators may add, change or remove dnsmasq: options (<dnsmasq:options>): dnsmasq runs them as root on ' +
  'the host. Leave that part as it is, or ask an administrator to make the change.'

/** Why this role may not save `edited` over `current` (its dnsmasq: content differs), or null. */
export function dnsmasqOptionsProblem(role: Role, current: XmlDocument, edited: XmlDocument): string | null {
  if ((can.editDnsmasqOptions as readonly Role[]).includes(role)) return null
  const [before, after] = [dnsmasqContent(current), dnsmasqContent(edited)]
  const same = before.length === after.length && before.every((part, i) => part === after[i])
  return same ? null : dnsmasqRefusal
}
