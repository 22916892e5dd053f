import 'server-only'
import type { Plan, PlanStep } from '@/lib/plan/plan'
import { virsh } from '@/lib/libvirt/virsh'
import { sh, type ShellCommand } from '@/lib/ssh'
import { addDhcpHost, deleteDhcpHost, dhcpHostFragmentXml, modifyDhcpHost } from '@/lib/libvirt-xml/network-dhcp-edit'
import { renderNetworkXml } from '@/lib/libvirt-xml/network-render'
import { NetworkUpdateError } from '@/lib/libvirt-xml/net-update/network-update-types'
import type { NetworkDefinition } from '@/lib/libvirt-xml/network-types'
import type { XmlDocument } from '@/lib/xml/xml-tree'
import { OperatorError } from '@/lib/core/errors'
import { dhcpIpOf, type DhcpEntry } from '@/lib/dhcp/entries'
import { describeOp, diffEntries, type HostOp } from '@/lib/dhcp/diff'
import type { NetworkDhcpState } from '@/lib/dhcp/host-state'
import { liveStatusStep, type LiveStatus } from '@/lib/dhcp/live-status'
import { rewriteHosts } from '@/lib/dhcp/rewrite'

/*
 * Two ways to bring a network's static hosts to the desired table, both ending with the live and the persistent
 * definition equal to it, and neither ever stopping the network (net-destroy/net-start unplugs every guest tap):
 *
 * - "net-update": libvirt's supported path, one `virsh net-update ... --live --config` per change. Each live
 *   update also removes and re-adds the network's firewall rules (≈40 iptables calls, ≈0.5 s), so it suits a few
 *   changes.
 * - "bulk": one `virsh net-define` (persistent side) and one rewrite of libvirt's live status file followed by the
 *   network driver's reload (SIGHUP, what `systemctl reload libvirtd` does): libvirt loads the live definition
 *   from that file, rewrites dnsmasq's hostsfile and sends dnsmasq a single SIGHUP. Cost is one firewall refresh
 *   per active network, whatever the number of changes.
 */

export type ApplyMode = 'net-update' | 'bulk'
export type DhcpPlan = { plan: Plan; mode: ApplyMode; changes: string[]; note: string | null }

/** Below this many live changes (or fewer than the host's running networks, see planDhcpChanges) a reload costs more than the net-updates it replaces. */
export const BULK_MIN_CHANGES = 10

type Flag = '--live' | '--config'

function fragment(entry: DhcpEntry): string {
  return dhcpHostFragmentXml({ mac: entry.mac, id: entry.id, name: entry.name, ip: entry.ip })
}

function ipIndex(definition: NetworkDefinition, entry: DhcpEntry): number {
  const ip = dhcpIpOf(definition, entry.family)
  if (!ip) throw new OperatorError(`Network ${definition.name} has no ${entry.family} address to serve ${entry.ip}.`)
  return ip.index
}

function netUpdate(
  net: string,
  command: 'add-last' | 'modify' | 'delete',
  entry: DhcpEntry,
  index: number,
  flags: Flag[],
) {
  return virsh(
    'net-update',
    '--network',
    net,
    '--command',
    command,
    '--section',
    'ip-dhcp-host',
    '--xml',
    fragment(entry),
    '--parent-index',
    String(index),
    ...flags,
  )
}

/**
 * Whether a net-update step's change is in effect on every side it changes (what a restart's re-read asks of a step it
 * cut short: lib/jobs/recovery.ts). libvirt prints each static host's attributes on one line, so the host is there
 * when a line of the definition has its key (MAC, DUID or name) and its address, and gone when no line has its key
 * (compared without case: a DUID or an IPv6 address may be spelled in either).
 */
function netUpdateProbe(net: string, op: HostOp, flags: Flag[]): ShellCommand {
  const entry = op.kind === 'delete' ? op.old : op.entry
  const key =
    entry.family === 'ipv4' && entry.mac
      ? `mac='${entry.mac}'`
      : entry.id
        ? `id='${entry.id}'`
        : `name='${entry.name ?? ''}'`
  const sides = flags.map((flag) => {
    const dump = virsh('net-dumpxml', '--network', net, ...(flag === '--config' ? ['--inactive'] : []))
    return op.kind === 'delete'
      ? sh`{ x=$(${dump}) && ! printf '%s\n' "$x" | grep -Fiq ${key}; }`
      : sh`{ ${dump} | grep -Fi ${key} | grep -Fiq ${`ip='${entry.ip}'`}; }`
  })
  return sides.reduce((all, side) => sh`${all} && ${side}`)
}

function netUpdateStep(net: string, definition: NetworkDefinition, op: HostOp, flags: Flag[]): PlanStep {
  const scope = flags.length === 2 ? 'live and persistent' : flags[0] === '--live' ? 'live only' : 'persistent only'
  const label = `${describeOp(op)} (${scope})`
  const probe = netUpdateProbe(net, op, flags)
  if (op.kind === 'add') {
    const index = ipIndex(definition, op.entry)
    return {
      label,
      command: netUpdate(net, 'add-last', op.entry, index, flags),
      undo: { label: `Remove ${op.entry.ip} again`, command: netUpdate(net, 'delete', op.entry, index, flags) },
      probe,
    }
  }
  if (op.kind === 'modify') {
    const index = ipIndex(definition, op.entry)
    return {
      label,
      command: netUpdate(net, 'modify', op.entry, index, flags),
      undo: { label: `Restore ${op.old.ip}`, command: netUpdate(net, 'modify', op.old, index, flags) },
      probe,
    }
  }
  const index = ipIndex(definition, op.old)
  return {
    label,
    command: netUpdate(net, 'delete', op.old, index, flags),
    undo: { label: `Add ${op.old.ip} back`, command: netUpdate(net, 'add-last', op.old, index, flags) },
    probe,
  }
}

const signature = (op: HostOp) => `${op.kind}|${op.kind === 'delete' ? fragment(op.old) : fragment(op.entry)}`

/** One command per change; a change needed on both sides runs once with --live --config. */
function netUpdateSteps(state: NetworkDhcpState, liveOps: HostOp[], configOps: HostOp[]): PlanStep[] {
  const steps: PlanStep[] = []
  for (const kind of ['delete', 'modify', 'add'] as const) {
    const configByKey = new Map(configOps.filter((op) => op.kind === kind).map((op) => [signature(op), op]))
    for (const op of liveOps.filter((o) => o.kind === kind)) {
      const both = configByKey.delete(signature(op))
      steps.push(netUpdateStep(state.name, state.definition, op, both ? ['--live', '--config'] : ['--live']))
    }
    for (const op of configByKey.values())
      steps.push(netUpdateStep(state.name, state.config!.definition, op, ['--config']))
  }
  return steps
}

/** The document after the changes, checked by the model of net-update (refused exactly where libvirt would refuse). */
export function applyOps(doc: XmlDocument, definition: NetworkDefinition, ops: HostOp[]): XmlDocument {
  try {
    return ops.reduce((current, op) => {
      if (op.kind === 'add') return addDhcpHost(current, op.entry, { ipIndex: ipIndex(definition, op.entry) })
      if (op.kind === 'modify') return modifyDhcpHost(current, op.entry, { ipIndex: ipIndex(definition, op.entry) })
      return deleteDhcpHost(
        current,
        { mac: op.old.mac, name: op.old.name, ip: op.old.ip },
        { ipIndex: ipIndex(definition, op.old) },
      )
    }, doc)
  } catch (error) {
    if (error instanceof NetworkUpdateError)
      throw new OperatorError(`libvirt would refuse this change: ${error.message}`)
    throw error
  }
}

export function defineStep(state: NetworkDhcpState, ops: HostOp[]): PlanStep {
  const config = state.config!
  const xml = renderNetworkXml(rewriteHosts(config.definition.doc, ops))
  return {
    label: `Define the persistent configuration of ${state.name} with ${ops.length} change${ops.length === 1 ? '' : 's'} (the running network is not touched)`,
    command: virsh('net-define', '--file', '/dev/stdin'),
    stdin: xml,
    undo: {
      label: `Define the previous configuration of ${state.name} again`,
      command: virsh('net-define', '--file', '/dev/stdin'),
      stdin: config.xml,
    },
  }
}

export type PlanOptions = { strategy?: 'auto' | ApplyMode; live?: LiveStatus | null; liveStatusRefusal?: string | null }

/**
 * The plan that makes the host's static hosts for the managed keys equal `desired`. `removedKeys` are keys to take
 * off the host although they are not desired (deleted mappings, drift the operator removes).
 */
export function planDhcpChanges(
  state: NetworkDhcpState,
  desired: DhcpEntry[],
  removedKeys: string[],
  options: PlanOptions = {},
): DhcpPlan {
  const liveOps = state.live ? diffEntries(desired, state.live.entries, removedKeys) : []
  const configOps = state.config ? diffEntries(desired, state.config.entries, removedKeys) : []
  // Check each change against the model of libvirt's net-update rules before anything runs (bulk changes are
  // checked by validateEntry, and by libvirt itself when it parses the whole definition).
  if (state.live && liveOps.length < BULK_MIN_CHANGES)
    applyOps(state.live.definition.doc, state.live.definition, liveOps)
  if (state.config && configOps.length < BULK_MIN_CHANGES)
    applyOps(state.config.definition.doc, state.config.definition, configOps)
  const changes = [...new Set([...liveOps, ...configOps].map(describeOp))]
  const title = `Static DHCP hosts of ${state.name}`
  const strategy = options.strategy ?? 'auto'
  // A reload refreshes every running network's firewall, each about what one net-update costs.
  const reloadCost = Math.max(BULK_MIN_CHANGES, options.live?.activeNetworks ?? 0)
  const wantBulk = strategy === 'bulk' || (strategy === 'auto' && liveOps.length >= reloadCost)

  if (liveOps.length === 0 && configOps.length >= BULK_MIN_CHANGES) {
    return { plan: { title, steps: [defineStep(state, configOps)] }, mode: 'bulk', changes, note: null }
  }
  if (wantBulk && liveOps.length > 0) {
    if (options.live) {
      const steps: PlanStep[] = []
      if (configOps.length) steps.push(defineStep(state, configOps))
      steps.push(
        liveStatusStep(state, options.live, (doc, _definition, entries) =>
          rewriteHosts(doc, diffEntries(desired, entries, removedKeys)),
        ),
      )
      return { plan: { title, steps }, mode: 'bulk', changes, note: null }
    }
    if (strategy === 'bulk')
      throw new OperatorError(
        `The fast path is not possible here: ${options.liveStatusRefusal ?? 'the network driver cannot be reloaded'}`,
      )
    return {
      plan: { title, steps: netUpdateSteps(state, liveOps, configOps) },
      mode: 'net-update',
      changes,
      note: `one net-update per change, because ${options.liveStatusRefusal}`,
    }
  }
  const cheaper =
    options.live && liveOps.length >= BULK_MIN_CHANGES
      ? `one net-update per change: ${liveOps.length} cost less than a reload that refreshes the firewall of ${options.live.activeNetworks} running networks`
      : null
  return {
    plan: { title, steps: netUpdateSteps(state, liveOps, configOps) },
    mode: 'net-update',
    changes,
    note: cheaper,
  }
}
