import 'server-only'
import { hostNameProblem, ipAddressProblem, portgroupNameProblem } from '@/lib/addresses/value-rules'
import { normalizeEntry, validateEntry, EntryIndex } from '@/lib/dhcp/entries'
import type { DhcpHost, NetworkDefinition } from '@/lib/libvirt-xml/network-types'

/*
 * The values an edit of the network XML adds to the tables the forms fill: static DHCP hosts, DNS host entries and
 * portgroups. Each new or changed one must pass the very rule its form applies (validateEntry for a DHCP host, the
 * value rules for the rest), so that the editor is no way around a form's refusal. Entries the edit leaves as they were
 * are not judged again: an edit of something else must not fail on what libvirt already holds.
 */

const sameDhcpHost = (a: DhcpHost, b: DhcpHost) =>
  (a.mac ?? '').toLowerCase() === (b.mac ?? '').toLowerCase() &&
  (a.id ?? '').toLowerCase() === (b.id ?? '').toLowerCase() &&
  (a.name ?? '') === (b.name ?? '') &&
  (a.ip ?? '') === (b.ip ?? '')

/** The problems of the edited definition's new or changed values, each naming its element; empty when there are none. */
export function editedValueProblems(edited: NetworkDefinition, current: NetworkDefinition): string[] {
  return [
    ...dhcpHostProblems(edited, current),
    ...dnsHostProblems(edited, current),
    ...portgroupProblems(edited, current),
  ]
}

function dhcpHostProblems(edited: NetworkDefinition, current: NetworkDefinition): string[] {
  const currentHosts = current.ips.flatMap((ip) => ip.dhcp?.hosts ?? [])
  // Every host of the edited table, so that a new host may not clash with any other, old or new.
  const hosts = edited.ips.flatMap((ip) =>
    (ip.dhcp?.hosts ?? []).map((host) => ({
      host,
      entry:
        host.ip === undefined
          ? undefined
          : normalizeEntry({
              family: ip.family,
              ip: host.ip,
              ...(host.mac && { mac: host.mac }),
              ...(host.id && { id: host.id }),
              ...(host.name && { name: host.name }),
            }),
    })),
  )
  const index = new EntryIndex(hosts.flatMap(({ entry }) => (entry ? [entry] : [])))
  return hosts
    .filter(({ host }) => !currentHosts.some((old) => sameDhcpHost(old, host)))
    .flatMap(({ host, entry }) => {
      const checked = validateEntry({ ...host, ip: host.ip ?? '' }, edited, index, undefined, entry)
      if (!('errors' in checked)) return []
      return Object.entries(checked.errors).flatMap(([field, messages]) =>
        messages.map((message) => `<dhcp><host ${field}> of ${describeHost(host)}: ${message}`),
      )
    })
}

/** A DHCP host as the operator wrote it, its attributes in libvirt's order. */
function describeHost(host: DhcpHost): string {
  const attributes = (['mac', 'id', 'name', 'ip'] as const)
    .filter((key) => host[key] !== undefined)
    .map((key) => `${key}='${host[key]}'`)
  return `<host ${attributes.join(' ')}>`
}

function dnsHostProblems(edited: NetworkDefinition, current: NetworkDefinition): string[] {
  const key = (host: { ip?: string; hostnames: string[] }) => JSON.stringify([host.ip ?? '', host.hostnames])
  const currentHosts = new Set((current.dns?.hosts ?? []).map(key))
  return (edited.dns?.hosts ?? [])
    .filter((host) => !currentHosts.has(key(host)))
    .flatMap((host) => {
      const ip = host.ip?.trim() ?? ''
      const ipProblem = ip === '' ? 'Enter the address the names resolve to.' : ipAddressProblem(ip)
      return [
        ...(ipProblem ? [`<dns><host ip>: ${ipProblem}`] : []),
        ...host.hostnames.flatMap((name) => {
          const problem = hostNameProblem(name.trim())
          return problem ? [`<dns><host><hostname>: ${problem}`] : []
        }),
      ]
    })
}

function portgroupProblems(edited: NetworkDefinition, current: NetworkDefinition): string[] {
  const currentNames = new Set(current.portgroups.map((portgroup) => portgroup.name))
  return edited.portgroups
    .filter((portgroup) => !currentNames.has(portgroup.name))
    .flatMap((portgroup) => {
      const problem = portgroupNameProblem(portgroup.name.trim())
      return problem ? [`<portgroup name>: ${problem}`] : []
    })
}
