import 'server-only'
import type { XmlElement } from '@/lib/xml/xml-tree'

/* Request, options and error types of the `virsh net-update` model (network-update.ts). */

/** virsh's commands; "add" is virsh's synonym for "add-last". */
export type NetworkUpdateCommand = 'add-first' | 'add-last' | 'add' | 'modify' | 'delete'

export type NetworkUpdateSection =
  | 'ip-dhcp-host'
  | 'ip-dhcp-range'
  | 'dns-host'
  | 'dns-txt'
  | 'dns-srv'
  | 'portgroup'
  | 'forward-interface'
  // Accepted by virsh, always refused by libvirt ("can't update ... section"):
  | 'bridge'
  | 'domain'
  | 'ip'
  | 'forward'
  | 'forward-pf'

export type NetworkUpdateRequest = {
  command: NetworkUpdateCommand
  section: NetworkUpdateSection
  /** virsh --parent-index: which <ip> (counting all families) for ip-dhcp-*; omitted = libvirt's choice. */
  parentIndex?: number
  /** The fragment, as XML text (what virsh takes) or an already built element. */
  xml: string | XmlElement
}

export type NetworkUpdateOptions = {
  /**
   * libvirt 9.0 (this project's baseline) refuses `modify` for dns-host, dns-txt and dns-srv.
   * libvirt 10.6 added modify for dns-host and dns-txt (dns-srv followed upstream); set this
   * when the target host's libvirt has it.
   */
  dnsRecordModify?: boolean
}

/** The libvirt error class each failure belongs to; it decides virsh's message prefix. */
export type LibvirtErrorKind =
  | 'operation-invalid'
  | 'operation-unsupported'
  | 'xml-error'
  | 'xml-detail'
  | 'internal-error'
  | 'config-unsupported'
  | 'system-error'

const PREFIX: Record<LibvirtErrorKind, string> = {
  'operation-invalid': 'Requested operation is not valid: ',
  'operation-unsupported': 'Operation not supported: ',
  'xml-error': 'XML error: ',
  'xml-detail': '',
  'internal-error': 'internal error: ',
  'config-unsupported': 'unsupported configuration: ',
  'system-error': '',
}

/**
 * A refused update. `message` reads like virsh's second "error:" line
 * (e.g. "Requested operation is not valid: there is an existing dhcp host entry ..."); `detail`
 * is libvirt's sentence without the class prefix.
 */
export class NetworkUpdateError extends Error {
  readonly kind: LibvirtErrorKind
  readonly detail: string

  constructor(kind: LibvirtErrorKind, detail: string) {
    super(`${PREFIX[kind]}${detail}`)
    this.name = 'NetworkUpdateError'
    this.kind = kind
    this.detail = detail
  }
}
