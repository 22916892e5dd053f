import {
  broadcastOf,
  formatIp,
  formatSubnet,
  offsetIp,
  parseIp,
  subnetContains,
  subnetsOverlap,
  type IpSubnet,
} from '@/lib/addresses/ip-address'
import {
  isRoutedKind,
  type DirectMode,
  type NetworkKind,
  type NetworkSpec,
  type PortgroupSpec,
} from '@/lib/libvirt-xml/network-kinds'
import { newBridgeNameProblem } from '@/lib/addresses/value-rules'

/** A new network as the create form's schema parsed it (see CreateNetworkSchema). */
export type NetworkRequest = {
  name: string
  kind: NetworkKind
  bridge?: string
  forwardDev?: string
  ipv4?: IpSubnet
  dhcpStart?: string
  dhcpEnd?: string
  ipv6?: IpSubnet
  dhcp6Start?: string
  dhcp6End?: string
  domain?: string
  localOnly: boolean
  forwarders: string[]
  dnsHosts: Array<{ ip: string; names: string[] }>
  mtu?: number
  natAddressStart?: string
  natAddressEnd?: string
  natPortStart?: number
  natPortEnd?: number
  directMode: DirectMode
  interfaces: string[]
  portgroups: PortgroupSpec[]
}

export type ExistingNetworkFacts = { name: string; bridge: string | null; subnets: string[] }
export type HostFacts = {
  networks: ExistingNetworkFacts[]
  /** Subnets on the host's interfaces (both families), with the interface that has them. */
  hostSubnets: Array<{ subnet: IpSubnet; owner: string }>
  /** Every interface of the host, with its kind as `ip -d link` names it (bridge, veth, openvswitch, …). */
  interfaces: Array<{ name: string; kind: string | null }>
}

/** dnsmasq refuses a DHCPv6 range on a shorter prefix ("prefix length must be at least 64"), only at net-start. */
export const DHCPV6_MIN_PREFIX = 64

/**
 * Checks a new network of any kind against what the host already has and fills in libvirt's usual layout (the
 * gateway is each subnet's first address; IPv4 DHCP the rest but the broadcast unless a range is given; IPv6 gets
 * router advertisements, and DHCPv6 only for a range given). Returns every field error at once instead of throwing.
 */
export function planNetworkLayout(
  request: NetworkRequest,
  host: HostFacts,
): { spec: NetworkSpec | null; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {}
  const add = (field: string, message: string) => (errors[field] ??= []).push(message)
  const interfaceNames = host.interfaces.map((link) => link.name)

  if (host.networks.some((network) => network.name === request.name))
    add('name', `A network named ${request.name} already exists on this host.`)

  const spec: NetworkSpec = { name: request.name, kind: request.kind }
  if (isRoutedKind(request.kind)) {
    if (!request.ipv4 && !request.ipv6)
      add('ipv4Cidr', 'Give an IPv4 subnet, an IPv6 subnet or both: this kind of network serves addresses.')
    const bridgeProblem = request.bridge ? newBridgeNameProblem(request.bridge) : null
    if (bridgeProblem) add('bridge', bridgeProblem)
    else if (request.bridge) {
      const owner = host.networks.find((network) => network.bridge === request.bridge)
      if (owner) add('bridge', `Bridge ${request.bridge} belongs to network ${owner.name}.`)
      else if (interfaceNames.includes(request.bridge))
        add('bridge', `The host already has an interface named ${request.bridge}.`)
    }
    if (request.forwardDev && !interfaceNames.includes(request.forwardDev))
      add('forwardDev', `The host has no interface named ${request.forwardDev}.`)
    if (request.ipv4) spec.ipv4 = familyLayout('ipv4', request.ipv4, request.dhcpStart, request.dhcpEnd, host, add)
    if (request.ipv6) spec.ipv6 = familyLayout('ipv6', request.ipv6, request.dhcp6Start, request.dhcp6End, host, add)
    if (request.kind === 'nat') natLayout(request, spec, add)
    else {
      for (const field of ['natAddressStart', 'natPortStart'] as const)
        if (request[field] !== undefined) add(field, 'Only a NAT network translates addresses and ports.')
    }
    if (request.forwardDev && (request.kind === 'nat' || request.kind === 'route')) spec.forwardDev = request.forwardDev
    else if (request.forwardDev) add('forwardDev', 'Only NAT and routed networks forward through a chosen interface.')
    if (request.domain) spec.domain = { name: request.domain, localOnly: request.localOnly }
    if (request.forwarders.length) spec.forwarders = request.forwarders
    if (request.dnsHosts.length) spec.dnsHosts = request.dnsHosts
    if (request.mtu !== undefined) spec.mtu = request.mtu
    if (!errors.bridge)
      spec.bridge = request.bridge ?? nextFreeBridge([...interfaceNames, ...host.networks.map((n) => n.bridge ?? '')])
  } else {
    for (const field of ['ipv4Cidr', 'ipv6Cidr', 'domain', 'forwarders', 'dnsHosts'] as const) {
      const given = field === 'ipv4Cidr' ? request.ipv4 : field === 'ipv6Cidr' ? request.ipv6 : request[field]
      if (Array.isArray(given) ? given.length : given)
        add(field, 'libvirt serves no addresses or DNS on this kind of network; leave this empty.')
    }
  }

  if (request.kind === 'direct') {
    if (request.interfaces.length === 0) add('interfaces', 'Name at least one host interface for the guests to use.')
    for (const name of request.interfaces) {
      const link = host.interfaces.find((l) => l.name === name)
      if (!link) add('interfaces', `The host has no interface named ${name}.`)
      else if (link.kind === 'bridge') add('interfaces', `${name} is a bridge; use a bridged network for it instead.`)
    }
    spec.directMode = request.directMode
    spec.interfaces = request.interfaces
  } else if (request.interfaces.length) {
    add('interfaces', 'Only a macvtap (direct) pool uses a list of host interfaces.')
  }

  if (request.kind === 'openvswitch') {
    if (!request.bridge) add('bridge', 'Name the Open vSwitch bridge the guests join (ovs-vsctl add-br makes one).')
    else {
      const link = host.interfaces.find((l) => l.name === request.bridge)
      if (!link)
        add('bridge', `The host has no interface named ${request.bridge}; create the Open vSwitch bridge first.`)
      else if (link.kind !== 'openvswitch')
        add('bridge', `${request.bridge} is not an Open vSwitch bridge (its kind is ${link.kind ?? 'none'}).`)
      spec.bridge = request.bridge
    }
    const names = request.portgroups.map((group) => group.name)
    const twice = names.find((name, i) => names.indexOf(name) !== i)
    if (twice) add('portgroups', `Portgroup ${twice} is named twice.`)
    if (request.portgroups.filter((group) => group.isDefault).length > 1)
      add('portgroups', 'Only one portgroup can be the default.')
    spec.portgroups = request.portgroups
    if (request.mtu !== undefined) spec.mtu = request.mtu
  } else if (request.portgroups.length) {
    add('portgroups', 'Portgroups with VLAN tags are offered for Open vSwitch networks here.')
  }

  return Object.keys(errors).length ? { spec: null, errors } : { spec, errors }
}

function familyLayout(
  family: 'ipv4' | 'ipv6',
  subnet: IpSubnet,
  dhcpStart: string | undefined,
  dhcpEnd: string | undefined,
  host: HostFacts,
  add: (field: string, message: string) => void,
) {
  const field = family === 'ipv4' ? 'ipv4Cidr' : 'ipv6Cidr'
  const [startField, endField] = family === 'ipv4' ? ['dhcpStart', 'dhcpEnd'] : ['dhcp6Start', 'dhcp6End']
  const cidr = formatSubnet(subnet)
  for (const network of host.networks) {
    for (const text of network.subnets) {
      const [address, prefix] = text.split('/')
      const other = parseIp(address ?? '')
      if (other?.family === family && subnetsOverlap(subnet, { network: other, prefix: Number(prefix) }))
        add(field, `${cidr} overlaps ${text} of network ${network.name}.`)
    }
  }
  const claimed = new Set(host.networks.flatMap((network) => network.subnets))
  for (const { subnet: used, owner } of host.hostSubnets) {
    if (used.network.family !== family || claimed.has(formatSubnet(used))) continue
    if (subnetsOverlap(subnet, used)) add(field, `${cidr} overlaps ${formatSubnet(used)} on ${owner}.`)
  }
  const gateway = offsetIp(subnet.network, 1)
  const last = broadcastOf(subnet)
  const layout = { address: formatIp(gateway), prefix: subnet.prefix }
  if ((dhcpStart === undefined) !== (dhcpEnd === undefined)) {
    add(dhcpStart === undefined ? startField : endField, 'Give both ends of the DHCP range, or neither.')
    return layout
  }
  if (dhcpStart === undefined || dhcpEnd === undefined) {
    // IPv4: libvirt's usual range, all but the gateway and broadcast. IPv6: router advertisements only (SLAAC).
    if (family === 'ipv6') return layout
    return { ...layout, dhcp: { start: formatIp(offsetIp(gateway, 1)), end: formatIp(offsetIp(last, -1)) } }
  }
  if (family === 'ipv6' && subnet.prefix < DHCPV6_MIN_PREFIX)
    add(
      field,
      `A DHCPv6 range needs a prefix of /${DHCPV6_MIN_PREFIX} or longer (dnsmasq refuses ${cidr} when the network starts).`,
    )
  const start = parseIp(dhcpStart)!
  const end = parseIp(dhcpEnd)!
  for (const [name, address] of [
    [startField, start],
    [endField, end],
  ] as const) {
    const isEdge = address.value === subnet.network.value || (family === 'ipv4' && address.value === last.value)
    if (!subnetContains(subnet, address) || isEdge) add(name, `Must be a host address inside ${cidr}.`)
    else if (address.value === gateway.value) add(name, `${formatIp(gateway)} is the network's own (gateway) address.`)
  }
  if (start.family === end.family && start.value > end.value) add(endField, 'The range must end at or after its start.')
  return { ...layout, dhcp: { start: formatIp(start), end: formatIp(end) } }
}

function natLayout(request: NetworkRequest, spec: NetworkSpec, add: (field: string, message: string) => void) {
  const nat: NonNullable<NetworkSpec['nat']> = {}
  if ((request.natAddressStart === undefined) !== (request.natAddressEnd === undefined))
    add('natAddressEnd', 'Give both ends of the address range, or neither.')
  else if (request.natAddressStart && request.natAddressEnd) {
    const [start, end] = [parseIp(request.natAddressStart)!, parseIp(request.natAddressEnd)!]
    if (start.value > end.value) add('natAddressEnd', 'The range must end at or after its start.')
    nat.addressStart = request.natAddressStart
    nat.addressEnd = request.natAddressEnd
  }
  if ((request.natPortStart === undefined) !== (request.natPortEnd === undefined))
    add('natPortEnd', 'Give both ends of the port range, or neither.')
  else if (request.natPortStart !== undefined && request.natPortEnd !== undefined) {
    if (request.natPortStart > request.natPortEnd) add('natPortEnd', 'The range must end at or after its start.')
    nat.portStart = request.natPortStart
    nat.portEnd = request.natPortEnd
  } else {
    // libvirt's own default, written out as the stock NAT network has it.
    nat.portStart = 1024
    nat.portEnd = 65535
  }
  spec.nat = nat
}

/** libvirt's own naming when no bridge is given: the lowest virbrN not taken. */
function nextFreeBridge(taken: string[]): string {
  let index = 0
  while (taken.includes(`virbr${index}`)) index++
  return `virbr${index}`
}
