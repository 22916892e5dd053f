import 'server-only'
import { formatIp, parseIp, type IpValue } from '@/lib/addresses/ip-address'
import {
  CHILD_ORDER,
  dropEmptyDns,
  ensureChild,
  expectFragment,
  insertAdded,
  isAdd,
  type UpdateContext,
} from '@/lib/libvirt-xml/net-update/network-update-context'
import type { DnsSrvRecord } from '@/lib/libvirt-xml/network-types'
import { NetworkUpdateError } from '@/lib/libvirt-xml/net-update/network-update-types'
import { childElements, firstChild, getAttribute, removeChild, replaceChild, textContent } from '@/lib/xml/xml-query'
import { element, text, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * dns-host, dns-txt and dns-srv, after libvirt's virNetworkDefUpdateDNS{Host,Txt,Srv}.
 * libvirt 9.0 refuses `modify` for all three; newer libvirt (10.6+) replaces the matching
 * record. The newer matching rules are inferred from upstream's test data: a host by its IP,
 * a TXT record by name, an SRV record by domain/service/protocol/target.
 */

export function updateDnsHost(ctx: UpdateContext): void {
  refuseModifyOnOldLibvirt(ctx, 'HOST')
  expectFragment(ctx, 'host')
  const add = isAdd(ctx.command)
  const host = readDnsHost(ctx.fragment, ctx.net, !add && ctx.command !== 'modify')
  const dns = firstChild(ctx.root, 'dns')
  const existing = dns ? childElements(dns, 'host') : []
  const matches = existing.filter((el) => {
    const ip = parseIp(getAttribute(el, 'ip') ?? '')
    if (host.ip && ip && ip.family === host.ip.family && ip.value === host.ip.value) return true
    // Adding only refuses a duplicate address: several addresses may share a hostname.
    if (add || ctx.command === 'modify') return false
    const names = childElements(el, 'hostname').map(textContent)
    return host.hostnames.some((n) => names.includes(n))
  })

  if (add) {
    if (matches.length > 0) {
      throw new NetworkUpdateError(
        'operation-invalid',
        `there is already at least one DNS HOST record with a matching field in network ${ctx.net}`,
      )
    }
    insertRecord(ctx, dnsHostElement(host))
    return
  }
  const only = singleMatch(matches, ctx, 'multiple matching DNS HOST records were found in network', 'HOST')
  if (ctx.command === 'modify') replaceChild(dns as XmlElement, only, dnsHostElement(host))
  else removeRecord(ctx, only)
}

export function updateDnsTxt(ctx: UpdateContext): void {
  refuseModifyOnOldLibvirt(ctx, 'TXT')
  expectFragment(ctx, 'txt')
  const add = isAdd(ctx.command)
  const name = getAttribute(ctx.fragment, 'name')
  if (name === undefined)
    throw new NetworkUpdateError(
      'xml-detail',
      `missing required name attribute in DNS TXT record of network ${ctx.net}`,
    )
  if (/[ ,]/.test(name))
    throw new NetworkUpdateError(
      'xml-detail',
      `prohibited character in DNS TXT record name '${name}' of network ${ctx.net}`,
    )
  const value = getAttribute(ctx.fragment, 'value')
  if (value === undefined && ctx.command !== 'delete') {
    throw new NetworkUpdateError(
      'xml-detail',
      `missing required value attribute in DNS TXT record named '${name}' of network ${ctx.net}`,
    )
  }
  const dns = firstChild(ctx.root, 'dns')
  const found = (dns ? childElements(dns, 'txt') : []).find((el) => getAttribute(el, 'name') === name)

  if (add) {
    if (found)
      throw new NetworkUpdateError(
        'operation-invalid',
        `there is already a DNS TXT record with name '${name}' in network ${ctx.net}`,
      )
    insertRecord(ctx, element('txt', { name, value }))
    return
  }
  if (!found)
    throw new NetworkUpdateError('operation-invalid', `couldn't locate a matching DNS TXT record in network ${ctx.net}`)
  if (ctx.command === 'modify') replaceChild(dns as XmlElement, found, element('txt', { name, value }))
  else removeRecord(ctx, found)
}

const SRV_KEYS = ['domain', 'service', 'protocol', 'target'] as const

export function updateDnsSrv(ctx: UpdateContext): void {
  refuseModifyOnOldLibvirt(ctx, 'SRV')
  expectFragment(ctx, 'srv')
  const add = isAdd(ctx.command)
  const srv = readSrv(ctx.fragment, ctx.net, !add)
  const dns = firstChild(ctx.root, 'dns')
  // A field left out of the fragment matches any value.
  const matches = (dns ? childElements(dns, 'srv') : []).filter((el) =>
    SRV_KEYS.every((key) => srv[key] === undefined || getAttribute(el, key) === srv[key]),
  )

  if (add) {
    if (matches.length > 0) {
      throw new NetworkUpdateError(
        'operation-invalid',
        `there is already at least one DNS SRV record matching all specified fields in network ${ctx.net}`,
      )
    }
    insertRecord(ctx, srvElement(srv))
    return
  }
  const only = singleMatch(
    matches,
    ctx,
    'multiple DNS SRV records matching all specified fields were found in network',
    'SRV',
  )
  if (ctx.command === 'modify') replaceChild(dns as XmlElement, only, srvElement(srv))
  else removeRecord(ctx, only)
}

// ---- helpers ---------------------------------------------------------------------------------

function refuseModifyOnOldLibvirt(ctx: UpdateContext, record: 'HOST' | 'TXT' | 'SRV'): void {
  if (ctx.command === 'modify' && !ctx.options.dnsRecordModify) {
    throw new NetworkUpdateError(
      'operation-unsupported',
      `DNS ${record} records cannot be modified, only added or deleted`,
    )
  }
}

function singleMatch(matches: XmlElement[], ctx: UpdateContext, multipleMessage: string, record: string): XmlElement {
  const [first, second] = matches
  if (!first)
    throw new NetworkUpdateError(
      'operation-invalid',
      `couldn't locate a matching DNS ${record} record in network ${ctx.net}`,
    )
  if (second) throw new NetworkUpdateError('operation-invalid', `${multipleMessage} ${ctx.net}`)
  return first
}

function insertRecord(ctx: UpdateContext, record: XmlElement): void {
  const dns = ensureChild(ctx.root, 'dns', CHILD_ORDER.network)
  insertAdded(ctx, dns, record, CHILD_ORDER.dns)
}

function removeRecord(ctx: UpdateContext, record: XmlElement): void {
  const dns = firstChild(ctx.root, 'dns')
  if (!dns) return
  removeChild(dns, record)
  dropEmptyDns(ctx.root)
}

type DnsHost = { ip?: IpValue; hostnames: string[] }

/** virNetworkDNSHostDefParseXML */
function readDnsHost(fragment: XmlElement, net: string, partialOkay: boolean): DnsHost {
  const hostnames = childElements(fragment, 'hostname').map(textContent)
  if (hostnames.some((n) => n === '') || (hostnames.length === 0 && !partialOkay)) {
    throw new NetworkUpdateError('xml-detail', `Missing hostname in network '${net}' DNS HOST record`)
  }
  const ipText = getAttribute(fragment, 'ip')
  if (ipText !== undefined) {
    const ip = parseIp(ipText)
    if (!ip) throw new NetworkUpdateError('xml-detail', `Invalid IP address in network '${net}' DNS HOST record`)
    return { ip, hostnames }
  }
  if (!partialOkay) throw new NetworkUpdateError('xml-detail', `Missing IP address in network '${net}' DNS HOST record`)
  if (hostnames.length === 0)
    throw new NetworkUpdateError('xml-detail', `Missing ip and hostname in network '${net}' DNS HOST record`)
  return { hostnames }
}

function dnsHostElement(host: DnsHost): XmlElement {
  return element(
    'host',
    { ip: host.ip && formatIp(host.ip) },
    host.hostnames.map((n) => element('hostname', {}, [text(n)])),
  )
}

// Characters libvirt allows in SRV service/protocol names ("." would clash with the record syntax).
const SERVICE_CHARS = /^[A-Za-z0-9_\-+/*]*$/
const PROTOCOL_CHARS = /^[A-Za-z0-9\-+/]*$/
// DNS_RECORD_LENGTH_SRV in libvirt: 512 bytes minus RFC 2782 overhead.
const SRV_SERVICE_MAX = 512 - 30

/** virNetworkDNSSrvDefParseXML */
function readSrv(fragment: XmlElement, net: string, partialOkay: boolean): DnsSrvRecord {
  const service = getAttribute(fragment, 'service')
  if (service === undefined && !partialOkay) {
    throw new NetworkUpdateError(
      'xml-detail',
      `missing required service attribute in DNS SRV record of network '${net}'`,
    )
  }
  if (service !== undefined) {
    if (Buffer.byteLength(service) > SRV_SERVICE_MAX) {
      throw new NetworkUpdateError(
        'xml-detail',
        `service attribute '${service}' in network '${net}' is too long, limit is ${SRV_SERVICE_MAX} bytes`,
      )
    }
    if (!SERVICE_CHARS.test(service)) {
      throw new NetworkUpdateError(
        'xml-detail',
        `invalid character in service attribute '${service}' in DNS SRV record of network '${net}'`,
      )
    }
  }
  const protocol = getAttribute(fragment, 'protocol')
  if (protocol === undefined && !partialOkay) {
    throw new NetworkUpdateError(
      'xml-detail',
      `missing required protocol attribute in DNS SRV record '${service ?? '(null)'}' of network '${net}'`,
    )
  }
  if (protocol !== undefined && !PROTOCOL_CHARS.test(protocol)) {
    throw new NetworkUpdateError(
      'xml-detail',
      `invalid character in protocol attribute '${protocol}' in DNS SRV record of network '${net}'`,
    )
  }
  const domain = getAttribute(fragment, 'domain')
  const target = getAttribute(fragment, 'target')
  const number = (attr: 'port' | 'priority' | 'weight', min: number, invalid: string): number | undefined => {
    const value = getAttribute(fragment, attr)
    if (value === undefined) return undefined
    if (target === undefined) {
      throw new NetworkUpdateError(
        'xml-detail',
        `DNS SRV ${attr} attribute not permitted without target for service '${service ?? '(null)'}' in network '${net}'`,
      )
    }
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
    if (!(n >= min && n <= 65535))
      throw new NetworkUpdateError('xml-detail', `${invalid} for service '${service ?? '(null)'}' in network '${net}'`)
    return n
  }
  const port = number('port', 1, 'invalid DNS SRV port attribute')
  const priority = number('priority', 0, 'Invalid DNS SRV priority attribute')
  const weight = number('weight', 0, 'invalid DNS SRV weight attribute')
  return Object.fromEntries(
    Object.entries({ service, protocol, domain, target, port, priority, weight }).filter(([, v]) => v !== undefined),
  ) as DnsSrvRecord
}

/** As virNetworkDNSDefFormat writes it: zero port/priority/weight are left out. */
function srvElement(srv: DnsSrvRecord): XmlElement {
  const numeric = (n: number | undefined) => (n ? String(n) : undefined)
  return element('srv', {
    service: srv.service,
    protocol: srv.protocol,
    domain: srv.domain,
    target: srv.target,
    port: numeric(srv.port),
    priority: numeric(srv.priority),
    weight: numeric(srv.weight),
  })
}
