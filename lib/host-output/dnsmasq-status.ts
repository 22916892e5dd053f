import 'server-only'
import { optionalString, parseJsonArray, requiredNumber, requiredString } from '@/lib/host-output/json-input'

/*
 * libvirt's lease status file (/var/lib/libvirt/dnsmasq/virbrN.status), kept by
 * libvirt_leaseshelper from dnsmasq's lease events and read by `virsh net-dhcp-leases`.
 * It is keyed by bridge, not network name. An empty file means no leases.
 */

export type LeaseStatusEntry = {
  ip: string
  /** IPv4 leases only. */
  mac: string | null
  hostname: string | null
  clientId: string | null
  /** DHCPv6 only. */
  iaid: string | null
  serverDuid: string | null
  /** Unix time (seconds) when the lease ends; 0 for an infinite lease. */
  expiryTime: number
}

const SOURCE = 'dnsmasq lease status file'

export function parseLeaseStatusFile(content: string): LeaseStatusEntry[] {
  return parseJsonArray(content, SOURCE).map((obj, i) => {
    const entry = i + 1
    return {
      ip: requiredString(obj, 'ip-address', SOURCE, entry),
      mac: optionalString(obj, 'mac-address', SOURCE, entry),
      hostname: optionalString(obj, 'hostname', SOURCE, entry),
      clientId: optionalString(obj, 'client-id', SOURCE, entry),
      iaid: optionalString(obj, 'iaid', SOURCE, entry),
      serverDuid: optionalString(obj, 'server-duid', SOURCE, entry),
      expiryTime: requiredNumber(obj, 'expiry-time', SOURCE, entry),
    }
  })
}
