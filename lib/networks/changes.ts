import 'server-only'
import type { HostRef } from '@/lib/core/types'
import { db } from '@/lib/db/client'
import type { HostTarget } from '@/lib/ssh'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { executePlan } from '@/lib/plan/execute'
import { startPlanJob } from '@/lib/jobs/plan-job'
import {
  getNetwork,
  hostIpv4Subnets,
  listNetworks,
  networkXml,
  readNetworkDefinitions,
  type NetworkSummary,
} from '@/lib/libvirt/read-networks'
import { run, sh } from '@/lib/ssh'
import { parseIpLinks } from '@/lib/host-output/ip-link-json'
import { buildNatNetworkXml } from '@/lib/libvirt-xml/network-build'
import { planNatLayout, type NatRequest } from '@/lib/networks/nat-layout'
import { planNetworkLayout, type NetworkRequest } from '@/lib/networks/network-layout'
import { buildNetworkSpecXml, type NetworkSpec } from '@/lib/libvirt-xml/network-kinds'
import { parseIpAddresses } from '@/lib/host-output/ip-addr-json'
import { formatSubnet, parseIp, parseIpWithPrefix, subnetOf } from '@/lib/addresses/ip-address'
import {
  autostartPlan,
  defineNetworkPlan,
  restoreDefaultPlan,
  startNetworkPlan,
  stopNetworkPlan,
  undefineNetworkPlan,
} from '@/lib/networks/plans'

// What changes a host's networks. After each change Virtnet records what the host then has, so the networks page
// can point out changes made outside Virtnet; what the pages read is in read.ts.

/** Records what the host now has for one network (re-read, not assumed), or forgets a network that is gone. */
async function rememberDesired(host: HostRef, target: HostTarget, name: string) {
  const network = await readNetworkDefinitions(target, name)
  if (!network) return db.desiredNetwork.deleteMany({ where: { hostId: host.id, name } })
  const kind =
    name === 'default'
      ? 'stock-default'
      : ['nat', 'bridge', 'hostdev'].includes(network.forwardMode)
        ? network.forwardMode
        : 'other'
  const state = {
    kind,
    xml: network.configXml ?? network.liveXml,
    active: network.active,
    autostart: network.autostart,
  }
  return db.desiredNetwork.upsert({
    where: { hostId_name: { hostId: host.id, name } },
    create: { hostId: host.id, name, ...state },
    update: state,
  })
}

async function requireNetwork(target: HostTarget, name: string): Promise<NetworkSummary> {
  const network = await getNetwork(target, name)
  if (!network) throw new OperatorError(`There is no network named ${name} on this host (it may have been removed).`)
  return network
}

export async function createNatNetwork(
  host: HostRef,
  target: HostTarget,
  request: NatRequest & { autostart: boolean; start: boolean },
) {
  const [networks, subnets, links] = await Promise.all([
    listNetworks(target),
    hostIpv4Subnets(target),
    run(target, sh`ip -j link show`),
  ])
  const { layout, errors } = planNatLayout(
    request,
    networks.map((n) => ({ name: n.name, bridge: n.bridge, subnet: n.ipv4?.subnet ?? null })),
    subnets,
    parseIpLinks(links.stdout).map((link) => link.name),
  )
  if (!layout) throw new FieldErrors(errors)
  const xml = buildNatNetworkXml({
    name: request.name,
    bridge: layout.bridge,
    ipv4Cidr: request.ipv4Cidr,
    dhcpStart: layout.dhcpStart,
    dhcpEnd: layout.dhcpEnd,
  })
  await executePlan(target, defineNetworkPlan(request.name, xml, request))
  await rememberDesired(host, target, request.name)
  return layout
}

/**
 * Creates a network of any kind (NAT, routed, open, isolated, macvtap pool, Open vSwitch) from the create form: checked
 * against what the host has (names, bridges, interfaces, subnets of both families), defined from the XML built in
 * lib/libvirt-xml/network-kinds.ts, optionally autostarted and started, all in one plan with its undo.
 */
export async function createNetwork(
  host: HostRef,
  target: HostTarget,
  form: Omit<NetworkRequest, 'ipv4' | 'ipv6'> & {
    ipv4Cidr?: string
    ipv6Cidr?: string
    autostart: boolean
    start: boolean
  },
): Promise<NetworkSpec> {
  // The subnets as values here, not in the schema's output: that goes to the audit log as JSON, which has no bigint.
  const subnetOfText = (text: string | undefined) => {
    const parsed = text === undefined ? null : parseIpWithPrefix(text)
    return parsed ? subnetOf(parsed.address, parsed.prefix) : undefined
  }
  const request: NetworkRequest & { autostart: boolean; start: boolean } = {
    ...form,
    ipv4: subnetOfText(form.ipv4Cidr),
    ipv6: subnetOfText(form.ipv6Cidr),
  }
  const [networks, addresses, links] = await Promise.all([
    listNetworks(target),
    run(target, sh`ip -j addr show`),
    run(target, sh`ip -j -d link show`),
  ])
  const hostSubnets = parseIpAddresses(addresses.stdout).flatMap((link) =>
    link.addresses
      .filter((a) => a.scope !== 'host' && a.scope !== 'link')
      .flatMap((a) => {
        const ip = parseIp(a.address)
        return ip ? [{ subnet: subnetOf(ip, a.prefix), owner: `interface ${link.name}` }] : []
      }),
  )
  const { spec, errors } = planNetworkLayout(request, {
    networks: networks.map((n) => ({
      name: n.name,
      bridge: n.bridge,
      subnets: (n.definition?.ips ?? []).flatMap((ip) => {
        const address = parseIp(ip.address)
        return address ? [formatSubnet(subnetOf(address, ip.prefix))] : []
      }),
    })),
    hostSubnets,
    interfaces: parseIpLinks(links.stdout).map((link) => ({ name: link.name, kind: link.kind })),
  })
  if (!spec) throw new FieldErrors(errors)
  await executePlan(target, defineNetworkPlan(request.name, buildNetworkSpecXml(spec), request))
  await rememberDesired(host, target, request.name)
  return spec
}

export async function startNetwork(host: HostRef, target: HostTarget, name: string) {
  const network = await requireNetwork(target, name)
  if (network.active) throw new OperatorError(`${name} is already running.`)
  await executePlan(target, startNetworkPlan(name))
  await rememberDesired(host, target, name)
}

export async function stopNetwork(host: HostRef, target: HostTarget, name: string) {
  const network = await requireNetwork(target, name)
  if (!network.active) throw new OperatorError(`${name} is not running.`)
  await executePlan(target, stopNetworkPlan(name))
  await rememberDesired(host, target, name)
  return network.guests
}

export async function setNetworkAutostart(host: HostRef, target: HostTarget, name: string, enabled: boolean) {
  const network = await requireNetwork(target, name)
  if (!network.persistent)
    throw new OperatorError(`${name} is transient (not defined persistently), so it cannot start at boot.`)
  await executePlan(target, autostartPlan(name, enabled))
  await rememberDesired(host, target, name)
}

export async function undefineNetwork(host: HostRef, target: HostTarget, name: string, confirmName: string) {
  const network = await requireNetwork(target, name)
  if (confirmName !== name) throw new FieldErrors({ confirmName: [`Type ${name} to confirm.`] })
  const savedXml = await networkXml(target, name, { inactive: network.persistent })
  await executePlan(target, undefineNetworkPlan(name, savedXml, network))
  await db.desiredNetwork.deleteMany({ where: { hostId: host.id, name } })
  return network.guests
}

/**
 * Restoring `default` is a multi-step job whose progress the page follows live. The action's own audit record
 * says the job started; the job writes a second record with its commands and outcome when it ends.
 */
export async function restoreDefaultNetwork(
  host: HostRef,
  target: HostTarget,
  actor: { id: string; username: string },
): Promise<string> {
  const networks = await listNetworks(target)
  if (networks.some((network) => network.name === 'default'))
    throw new OperatorError('This host already has a network named default.')
  const clash = networks.find((network) => network.ipv4?.subnet === '192.168.122.0/24' || network.bridge === 'virbr0')
  if (clash)
    throw new OperatorError(
      `Network ${clash.name} already uses virbr0 or 192.168.122.0/24, which the stock default network needs.`,
    )
  const { jobId } = await startPlanJob({
    host,
    target,
    plan: restoreDefaultPlan(),
    actor,
    action: 'network.restore-default.job',
    permission: 'manageNetworks',
    auditTarget: 'default',
    afterSuccess: () => rememberDesired(host, target, 'default'),
  })
  return jobId
}
