import 'server-only'
import { run, type HostTarget } from '@/lib/ssh'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { getNetwork, listNetworks } from '@/lib/libvirt/read-networks'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'
import { parseDomainInterfaces } from '@/lib/libvirt-xml/domain-parse'
import { parseXml } from '@/lib/xml/xml-parse'
import { renderElement } from '@/lib/xml/xml-render'
import { childElements, firstChild, getAttribute } from '@/lib/xml/xml-query'
import { canonicalMac, unusedQemuMac } from '@/lib/addresses/mac-address'
import { parseIpLinks } from '@/lib/host-output/ip-link-json'
import { startNetworkPlan, undefineNetworkPlan, autostartPlan } from '@/lib/networks/plans'
import { sriovInventory } from '@/lib/sriov/inventory'
import { buildHostdevPoolXml, pinnedVfInterfaceXml, poolInterfaceXml } from '@/lib/sriov/pool-xml'
import { definePoolPlan, interfacePlan, readVfCountCommand, setVfCountPlan } from '@/lib/sriov/plans'
import { plainPoolStartError } from '@/lib/sriov/start-error'
import { sh } from '@/lib/ssh'

// What changes a host's SR-IOV set-up: VF counts, pools and guests' VF interfaces. What the page reads is in read.ts.

export async function setVfCount(target: HostTarget, pf: string, wanted: number): Promise<{ enabled: number }> {
  const { pfs } = await sriovInventory(target)
  const found = pfs.find((p) => p.name === pf)
  if (!found) throw new FieldErrors({ pf: [`${pf} is not an SR-IOV physical function on this host.`] })
  if (wanted > found.totalVfs) throw new FieldErrors({ count: [`${pf} supports at most ${found.totalVfs} VFs.`] })
  const held = found.vfs.filter((vf) => vf.heldBy)
  if (held.length)
    throw new FieldErrors({
      count: [
        `VFs of ${pf} are assigned to guests (${[...new Set(held.map((vf) => vf.heldBy!.guest))].join(', ')}); release them first.`,
      ],
    })
  if (wanted === found.numVfs) return { enabled: wanted }
  await executePlan(target, setVfCountPlan(pf, found.numVfs, wanted))
  // The driver may enable fewer VFs than asked (resources, firmware limits): report what it really did.
  return { enabled: Number((await run(target, readVfCountCommand(pf))).stdout.trim()) }
}

export async function createPool(
  target: HostTarget,
  input: { name: string; pf: string; autostart: boolean },
): Promise<{ isPf: boolean }> {
  const [networks, links, inventory] = await Promise.all([
    listNetworks(target),
    run(target, sh`ip -j link show`),
    sriovInventory(target),
  ])
  if (networks.some((n) => n.name === input.name))
    throw new FieldErrors({ name: [`A network named ${input.name} already exists.`] })
  const link = parseIpLinks(links.stdout).find((l) => l.name === input.pf)
  if (!link) throw new FieldErrors({ pf: [`There is no interface ${input.pf} on this host.`] })
  const taken = inventory.pools.find((pool) => pool.pf === input.pf)
  if (taken)
    throw new FieldErrors({ pf: [`Pool ${taken.name} already uses ${input.pf}; one pool per physical function.`] })
  await executePlan(target, definePoolPlan(input.name, buildHostdevPoolXml(input.name, input.pf), input.autostart))
  return { isPf: inventory.pfs.some((pf) => pf.name === input.pf) }
}

async function requirePool(target: HostTarget, name: string) {
  const network = await getNetwork(target, name)
  if (!network || network.forwardMode !== 'hostdev')
    throw new OperatorError(`There is no SR-IOV pool named ${name} on this host.`)
  return network
}

export async function startPool(target: HostTarget, name: string) {
  const pool = await requirePool(target, name)
  if (pool.active) throw new OperatorError(`${name} is already running.`)
  try {
    await executePlan(target, startNetworkPlan(name))
  } catch (error) {
    const plain = error instanceof PlanFailedError ? plainPoolStartError(name, error.message) : null
    if (plain) throw new OperatorError(plain)
    throw error
  }
}

export async function setPoolAutostart(target: HostTarget, name: string, enabled: boolean) {
  await requirePool(target, name)
  await executePlan(target, autostartPlan(name, enabled))
}

export async function deletePool(target: HostTarget, name: string) {
  const pool = await requirePool(target, name)
  if (pool.guests.length)
    throw new OperatorError(`Guests still have interfaces on ${name}: ${pool.guests.join(', ')}. Release them first.`)
  const xml = (await run(target, virsh('net-dumpxml', '--network', name, '--inactive'))).stdout
  await executePlan(target, undefineNetworkPlan(name, xml, pool))
}

async function guestState(target: HostTarget, guest: string): Promise<{ running: boolean; configXml: string }> {
  const [state = '', configXml = ''] = await virshBatch(target, [
    ['domstate', '--domain', guest],
    ['dumpxml', '--domain', guest, '--inactive'],
  ])
  if (!configXml.trim()) throw new FieldErrors({ guest: [`There is no guest named ${guest} on this host.`] })
  return { running: state.trim() === 'running', configXml }
}

export type AssignInput = { guest: string; target: string; mac?: string; vlan?: number; profileid?: string }

export async function assignVf(host: HostTarget, input: AssignInput): Promise<{ mac: string; xml: string }> {
  const inventory = await sriovInventory(host)
  const { running, configXml } = await guestState(host, input.guest)
  const macs = inventory.claims
    .map((c) => c.mac)
    .concat(parseDomainInterfaces(configXml).map((nic) => (nic.mac ? canonicalMac(nic.mac) : null)))
  // Written into the config, so the guest keeps this MAC across reboots and VF changes.
  const mac = input.mac ?? unusedQemuMac(new Set(macs.filter((m): m is string => Boolean(m))))
  if (macs.includes(mac)) throw new FieldErrors({ mac: [`${mac} is already used by a guest interface on this host.`] })
  let xml: string
  if (input.target.startsWith('pool:')) {
    const pool = inventory.pools.find((p) => p.name === input.target.slice(5))
    if (!pool) throw new FieldErrors({ target: [`There is no SR-IOV pool ${input.target.slice(5)} on this host.`] })
    xml = poolInterfaceXml(pool.name, { mac, vlan: input.vlan })
  } else {
    const pci = input.target.slice(3)
    const vf = inventory.pfs.flatMap((pf) => pf.vfs).find((v) => v.pci === pci)
    if (!vf) throw new FieldErrors({ target: [`There is no VF at ${pci} on this host.`] })
    if (vf.heldBy) throw new FieldErrors({ target: [`The VF at ${pci} is already held by ${vf.heldBy.guest}.`] })
    xml = pinnedVfInterfaceXml(pci, { mac, vlan: input.vlan, profileid: input.profileid })
  }
  await executePlan(host, {
    ...interfacePlan('attach', input.guest, xml, running),
    ...(input.mac ? {} : { chosen: { mac } }),
  })
  return { mac, xml }
}

/** Detaches the guest's SR-IOV interface (pool or pinned VF) with this MAC, exactly as it stands in the guest's config. */
export async function releaseVf(host: HostTarget, guest: string, mac: string) {
  const { running, configXml } = await guestState(host, guest)
  const devices = firstChild(parseXml(configXml).root, 'devices')
  const poolNames = new Set((await listNetworks(host)).filter((n) => n.forwardMode === 'hostdev').map((n) => n.name))
  const nic = (devices ? childElements(devices, 'interface') : []).find((el) => {
    const macEl = firstChild(el, 'mac')
    const sameMac = macEl && canonicalMac(getAttribute(macEl, 'address') ?? '') === canonicalMac(mac)
    const source = firstChild(el, 'source')
    const isPool =
      getAttribute(el, 'type') === 'network' && source && poolNames.has(getAttribute(source, 'network') ?? '')
    return sameMac && (getAttribute(el, 'type') === 'hostdev' || isPool)
  })
  if (!nic) throw new OperatorError(`${guest} has no SR-IOV interface with MAC ${mac}.`)
  await executePlan(host, interfacePlan('detach', guest, renderElement(nic), running))
}
