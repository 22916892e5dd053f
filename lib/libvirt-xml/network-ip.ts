import 'server-only'
import { classfulPrefix, ipFamilyOf, prefixOfNetmask, type IpFamily } from '@/lib/addresses/ip-address'
import { ParseError } from '@/lib/core/errors'
import { getAttribute } from '@/lib/xml/xml-query'
import type { XmlElement } from '@/lib/xml/xml-tree'

/* Facts about an <ip> or <route> element that both the typed view and net-update need. */

const SOURCE = 'network XML'

/** family= if given, else the address's own family (libvirt requires them to agree). */
export function ipElementFamily(el: XmlElement): IpFamily {
  const address = getAttribute(el, 'address') ?? ''
  const family = getAttribute(el, 'family') ?? (ipFamilyOf(address) === 'ipv6' ? 'ipv6' : 'ipv4')
  if (family !== 'ipv4' && family !== 'ipv6')
    throw new ParseError(SOURCE, `<${el.name} family='${family}'> should be ipv4 or ipv6`)
  return family
}

/** libvirt's virSocketAddrGetIPPrefix: prefix= (if > 0), else netmask=, else the family default. */
export function ipElementPrefix(el: XmlElement): number {
  const family = ipElementFamily(el)
  const address = getAttribute(el, 'address') ?? ''
  const prefixText = getAttribute(el, 'prefix')
  if (prefixText !== undefined) {
    if (!/^\d+$/.test(prefixText))
      throw new ParseError(SOURCE, `<${el.name} prefix='${prefixText}'> should be a whole number`)
    if (Number(prefixText) > 0) return Number(prefixText)
  }
  const netmask = getAttribute(el, 'netmask')
  if (netmask !== undefined) {
    const fromMask = prefixOfNetmask(netmask)
    if (fromMask === null) throw new ParseError(SOURCE, `<${el.name} netmask='${netmask}'> is not a valid netmask`)
    return fromMask
  }
  if (family === 'ipv6') return address === '::' ? 0 : 64
  const classful = classfulPrefix(address)
  if (classful === null)
    throw new ParseError(SOURCE, `<${el.name} address='${address}'> needs a netmask or prefix (no classful default)`)
  return classful
}
