import 'server-only'
import {
  broadcastOf,
  formatIp,
  formatSubnet,
  netmaskOfPrefix,
  offsetIp,
  parseIpv4,
  parseIpv4WithPrefix,
  subnetOf,
  type IpSubnet,
  type IpValue,
} from '@/lib/addresses/ip-address'
import { renderXml } from '@/lib/xml/xml-render'
import { element, text, type XmlElement } from '@/lib/xml/xml-tree'

/*
 * New network definitions for `virsh net-define`, shaped like libvirt's own formatting of its
 * default network. Inputs are checked here so the operator gets a plain message instead of a
 * libvirt error later.
 */

export class NetworkBuildError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NetworkBuildError'
  }
}

export type NatNetworkInput = {
  name: string
  bridge: string
  /** The subnet, e.g. "10.1.2.0/24"; the bridge (gateway) gets its first host address. */
  ipv4Cidr: string
  /** Defaults: the address after the gateway … the last address before broadcast. */
  dhcpStart?: string
  dhcpEnd?: string
  /** false: no DHCP server on this network. */
  dhcp?: boolean
  uuid?: string
}

export type BridgeNetworkInput = { name: string; bridge: string; uuid?: string }

export function buildNatNetworkXml(input: NatNetworkInput): string {
  checkName(input.name)
  checkBridge(input.bridge)
  const subnet = parseSubnet(input.ipv4Cidr)
  const { network: first, prefix } = subnet
  const last = broadcastOf(subnet)
  const gateway = offsetIp(first, 1)
  const ip = element('ip', {
    address: formatIp(gateway),
    netmask: formatIp({ family: 'ipv4', value: netmaskOfPrefix(prefix, 'ipv4') }),
  })
  if (input.dhcp !== false) {
    const start = input.dhcpStart === undefined ? offsetIp(first, 2) : hostAddress(input.dhcpStart, 'DHCP start')
    const end = input.dhcpEnd === undefined ? offsetIp(last, -1) : hostAddress(input.dhcpEnd, 'DHCP end')
    for (const [label, value] of [
      ['DHCP start', start],
      ['DHCP end', end],
    ] as const) {
      if (value.value <= first.value || value.value >= last.value) {
        throw new NetworkBuildError(`${label} ${formatIp(value)} is not a usable address of ${input.ipv4Cidr}`)
      }
      if (value.value === gateway.value)
        throw new NetworkBuildError(`${label} ${formatIp(value)} is the gateway address`)
    }
    if (start.value > end.value)
      throw new NetworkBuildError(`DHCP start ${formatIp(start)} comes after DHCP end ${formatIp(end)}`)
    ip.children.push(element('dhcp', {}, [element('range', { start: formatIp(start), end: formatIp(end) })]))
  }
  return render(
    [
      element('forward', { mode: 'nat' }, [element('nat', {}, [element('port', { start: '1024', end: '65535' })])]),
      element('bridge', { name: input.bridge, stp: 'on', delay: '0' }),
      ip,
    ],
    input,
  )
}

/** A network that hands guests to an existing host bridge (forward mode='bridge'); libvirt manages no addresses on it. */
export function buildBridgeNetworkXml(input: BridgeNetworkInput): string {
  checkName(input.name)
  checkBridge(input.bridge)
  return render([element('forward', { mode: 'bridge' }), element('bridge', { name: input.bridge })], input)
}

function render(children: XmlElement[], input: { name: string; uuid?: string }): string {
  if (input.uuid !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.uuid)) {
    throw new NetworkBuildError(`"${input.uuid}" is not a UUID`)
  }
  const head = [
    element('name', {}, [text(input.name)]),
    ...(input.uuid ? [element('uuid', {}, [text(input.uuid.toLowerCase())])] : []),
  ]
  return renderXml({ prolog: [], root: element('network', {}, [...head, ...children]), epilog: [] })
}

function checkName(name: string): void {
  // libvirt only forbids '/', but the name becomes file names and command arguments.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(name)) {
    throw new NetworkBuildError(
      `network name "${name}" should start with a letter or digit and use only letters, digits, '_', '.', '+', '-'`,
    )
  }
}

function checkBridge(bridge: string): void {
  // Linux interface names: at most 15 bytes, no '/', whitespace or ':'; not "." or "..".
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge) || bridge === '.' || bridge === '..') {
    throw new NetworkBuildError(`bridge name "${bridge}" should be 1–15 letters, digits, '_', '.' or '-'`)
  }
}

/** Like parseIpv4Cidr, but tells the operator why a subnet is refused (host bits get a suggestion) and needs room for NAT. */
function parseSubnet(cidr: string): IpSubnet {
  const parsed = parseIpv4WithPrefix(cidr)
  if (!parsed) throw new NetworkBuildError(`"${cidr}" is not an IPv4 subnet like 10.1.2.0/24`)
  if (parsed.prefix > 30)
    throw new NetworkBuildError(
      `${cidr} is too small: a NAT network needs a gateway and at least one guest address (/30 or larger)`,
    )
  const subnet = subnetOf(parsed.address, parsed.prefix)
  if (subnet.network.value !== parsed.address.value)
    throw new NetworkBuildError(`${cidr} has host bits set; did you mean ${formatSubnet(subnet)}?`)
  return subnet
}

function hostAddress(text: string, label: string): IpValue {
  const ip = parseIpv4(text)
  if (!ip) throw new NetworkBuildError(`${label} "${text}" is not an IPv4 address`)
  return ip
}
