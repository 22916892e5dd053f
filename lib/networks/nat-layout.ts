import {
  broadcastOf,
  formatIp,
  formatSubnet,
  offsetIp,
  parseIpv4Cidr,
  requireIpv4,
  subnetContains,
  subnetsOverlap,
  type IpSubnet,
} from '@/lib/addresses/ip-address'

export type NatRequest = { name: string; bridge?: string; ipv4Cidr: string; dhcpStart?: string; dhcpEnd?: string }
export type ExistingNetwork = { name: string; bridge: string | null; subnet: string | null }
export type NatLayout = { bridge: string; gateway: string; prefix: number; dhcpStart: string; dhcpEnd: string }

/**
 * Checks a new NAT network against what the host already has and fills in libvirt's usual layout: the gateway is
 * the first address, the DHCP range the rest but the broadcast. Returns field errors instead of throwing so the
 * form can show all of them at once.
 */
export function planNatLayout(
  request: NatRequest,
  existing: ExistingNetwork[],
  hostSubnets: Array<{ subnet: IpSubnet; owner: string }>,
  hostInterfaces: string[],
): { layout: NatLayout | null; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {}
  const add = (field: string, message: string) => (errors[field] ??= []).push(message)
  const subnet = parseIpv4Cidr(request.ipv4Cidr)!

  if (existing.some((network) => network.name === request.name))
    add('name', `A network named ${request.name} already exists on this host.`)
  if (request.bridge) {
    const owner = existing.find((network) => network.bridge === request.bridge)
    if (owner) add('bridge', `Bridge ${request.bridge} belongs to network ${owner.name}.`)
    else if (hostInterfaces.includes(request.bridge))
      add('bridge', `The host already has an interface named ${request.bridge}.`)
  }
  for (const network of existing) {
    const other = network.subnet ? parseIpv4Cidr(network.subnet) : null
    if (other && subnetsOverlap(subnet, other))
      add('ipv4Cidr', `${request.ipv4Cidr} overlaps ${network.subnet} of network ${network.name}.`)
  }
  const claimedByNetworks = new Set(existing.map((network) => network.subnet))
  for (const { subnet: used, owner } of hostSubnets) {
    if (claimedByNetworks.has(formatSubnet(used))) continue
    if (subnetsOverlap(subnet, used)) add('ipv4Cidr', `${request.ipv4Cidr} overlaps ${formatSubnet(used)} on ${owner}.`)
  }

  const broadcast = broadcastOf(subnet)
  const first = offsetIp(subnet.network, 1)
  const gateway = formatIp(first)
  let start = offsetIp(first, 1)
  let end = offsetIp(broadcast, -1)
  if (request.dhcpStart && request.dhcpEnd) {
    start = requireIpv4(request.dhcpStart)
    end = requireIpv4(request.dhcpEnd)
    for (const [field, address] of [
      ['dhcpStart', start],
      ['dhcpEnd', end],
    ] as const) {
      const { value } = address
      if (!subnetContains(subnet, address) || value === subnet.network.value || value === broadcast.value)
        add(field, `Must be a host address inside ${request.ipv4Cidr}.`)
      else if (value === first.value) add(field, `${gateway} is the network's own (gateway) address.`)
    }
    if (!errors.dhcpStart && !errors.dhcpEnd && start.value > end.value)
      add('dhcpEnd', 'The range must end at or after its start.')
  }
  if (Object.keys(errors).length) return { layout: null, errors }
  const bridge =
    request.bridge ?? nextFreeBridge([...hostInterfaces, ...existing.map((network) => network.bridge ?? '')])
  return {
    layout: { bridge, gateway, prefix: subnet.prefix, dhcpStart: formatIp(start), dhcpEnd: formatIp(end) },
    errors,
  }
}

/** libvirt's own naming when no bridge is given: the lowest virbrN not taken. */
function nextFreeBridge(taken: string[]): string {
  let index = 0
  while (taken.includes(`virbr${index}`)) index++
  return `virbr${index}`
}
