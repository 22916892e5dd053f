import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { FieldErrors } from '@/lib/core/errors'
import { executePlan } from '@/lib/plan/execute'
import type { Plan, PlanStep } from '@/lib/plan/plan'
import { startPlanJob } from '@/lib/jobs/plan-job'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'
import { defineNetworkPlan } from '@/lib/networks/plans'
import { buildBridgeNetworkXml } from '@/lib/libvirt-xml/network-build'
import { renderElement } from '@/lib/xml/xml-render'
import { element } from '@/lib/xml/xml-tree'
import { parseIpAddresses } from '@/lib/host-output/ip-addr-json'
import { bridgesInventory, parseGatewayRoutes } from '@/lib/bridges/inventory'
import {
  applyDetachedCommand,
  applyScript,
  checkBridgeCommand,
  cleanUpCommand,
  confirmCommand,
  paths,
  prepareCommand,
  revertConfirmedCommand,
  revertNowCommand,
  revertScript,
  scheduleRevertCommand,
  type HostBridgeChange,
} from '@/lib/bridges/host-bridge-scripts'
import {
  detectStackCommand,
  networkdFiles,
  ifupdownStanza,
  parseStack,
  persistSteps,
  type NetworkStack,
  type Persistence,
} from '@/lib/bridges/persistence'
import { bridgeSettingsPlan, mssClampingProbe, parseMssProbe } from '@/lib/bridges/settings'

/** What "Show plan" shows besides the steps: on hosts without ifupdown or NetworkManager, the files to install by hand. */
export type HostBridgeDetail = { manualConfig: Array<{ path: string; content: string }> }

declare module '@/lib/plan/plan' {
  interface PreviewDetailKinds {
    'host-bridge': HostBridgeDetail
  }
}

export async function createBridgeNetwork(
  target: HostTarget,
  input: { name: string; bridge: string; autostart: boolean; start: boolean },
) {
  const { bridges, networks } = await bridgesInventory(target)
  if (networks.some((n) => n.name === input.name))
    throw new FieldErrors({ name: [`A network named ${input.name} already exists.`] })
  const bridge = bridges.find((b) => b.name === input.bridge)
  if (!bridge)
    throw new FieldErrors({
      bridge: [`There is no bridge ${input.bridge} on this host; create the host bridge first.`],
    })
  if (bridge.natOnly)
    throw new FieldErrors({
      bridge: [
        `${input.bridge} belongs to libvirt network ${bridge.managedBy} (NAT-only); choose a host bridge over a NIC.`,
      ],
    })
  await executePlan(
    target,
    defineNetworkPlan(input.name, buildBridgeNetworkXml({ name: input.name, bridge: input.bridge }), input),
  )
}

/**
 * Attaches a guest to a bridge-mode network, or straight to a host bridge (<interface type='bridge'>): what the form
 * offers, nothing else (a NAT network's guests are attached on the Guests tab; a libvirt NAT bridge is libvirt's).
 */
export async function attachGuest(target: HostTarget, input: { guest: string; target: string }) {
  const { bridges, networks, guests } = await bridgesInventory(target)
  if (!guests.includes(input.guest))
    throw new FieldErrors({ guest: [`There is no guest named ${input.guest} on this host.`] })
  const [kind, name] = input.target.split(/:(.*)/s) as [string, string]
  let nic
  if (kind === 'network') {
    const network = networks.find((n) => n.name === name)
    if (!network) throw new FieldErrors({ target: [`There is no network ${name} on this host.`] })
    if (network.forwardMode !== 'bridge')
      throw new FieldErrors({
        target: [`${name} is not a bridge-mode network; attach guests to it on the Guests tab.`],
      })
    nic = element('interface', { type: 'network' }, [
      element('source', { network: name }),
      element('model', { type: 'virtio' }),
    ])
  } else {
    const bridge = bridges.find((b) => b.name === name)
    if (!bridge) throw new FieldErrors({ target: [`There is no bridge ${name} on this host.`] })
    if (bridge.natOnly)
      throw new FieldErrors({
        target: [`${name} belongs to libvirt network ${bridge.managedBy} (NAT-only); attach to that network instead.`],
      })
    nic = element('interface', { type: 'bridge' }, [
      element('source', { bridge: name }),
      element('model', { type: 'virtio' }),
    ])
  }
  const [state = ''] = await virshBatch(target, [['domstate', '--domain', input.guest]])
  const flags = ['--config', ...(state.trim() === 'running' ? ['--live'] : [])]
  const xml = renderElement(nic)
  await executePlan(target, {
    title: `Attach ${input.guest} to ${name}`,
    steps: [
      {
        label: `Attach ${input.guest} to ${kind} ${name}`,
        command: virsh('attach-device', '--domain', input.guest, '--file', '/dev/stdin', ...flags),
        stdin: xml,
        undo: {
          label: 'Detach it again',
          command: virsh('detach-device', '--domain', input.guest, '--file', '/dev/stdin', ...flags),
          stdin: xml,
        },
      },
    ],
  })
}

/** What the host has now, turned into the change: refuses NICs that cannot or must not become a bridge port. */
async function planChange(
  target: HostTarget,
  input: { bridge: string; nic: string; moveAddresses: boolean },
  persistence: Persistence | undefined,
): Promise<{ change: HostBridgeChange; persistence: Persistence }> {
  const [{ bridges, nics, links }, routes, stack] = await Promise.all([
    bridgesInventory(target),
    run(target, sh`ip -j route show`),
    persistence ? null : run(target, detectStackCommand),
  ])
  if (links.some((l) => l.name === input.bridge))
    throw new FieldErrors({ bridge: [`${input.bridge} already exists on this host.`] })
  if (/^virbr/.test(input.bridge))
    throw new FieldErrors({ bridge: ['virbr names belong to libvirt NAT networks; choose another name such as br0.'] })
  const nic = nics.find((n) => n.name === input.nic)
  if (!nic) {
    const bridge = bridges.find((b) => b.name === input.nic)
    throw new FieldErrors({
      nic: [bridge ? `${input.nic} is a bridge, not a NIC.` : `There is no interface ${input.nic} on this host.`],
    })
  }
  if (nic.wireless)
    throw new FieldErrors({
      nic: [
        `${input.nic} is a wireless NIC: 802.11 does not carry frames for other MAC addresses, so it cannot join a Linux bridge. Use a NAT or routed network instead.`,
      ],
    })
  if (nic.master) {
    const owner = bridges.find((b) => b.name === nic.master)
    throw new FieldErrors({
      nic: [
        owner?.natOnly
          ? `${input.nic} is a port of ${nic.master}, a libvirt NAT bridge; never enslave a NIC to it.`
          : `${input.nic} is already a port of ${nic.master}.`,
      ],
    })
  }
  const link = parseIpAddresses((await run(target, sh`ip -j addr show dev ${input.nic}`)).stdout)[0]
  const change: HostBridgeChange = {
    bridge: input.bridge,
    nic: input.nic,
    mac: link?.mac ?? null,
    addresses: (link?.addresses ?? [])
      .filter((a) => a.scope === 'global')
      .map((a) => ({ family: a.family, cidr: `${a.address}/${a.prefix}` })),
    routes: parseGatewayRoutes(routes.stdout, input.nic),
    moveAddresses: input.moveAddresses,
  }
  return { change, persistence: persistence ?? { stack: parseStack(stack?.stdout ?? '') } }
}

function addressNote(change: HostBridgeChange): string {
  if (change.addresses.length === 0) return ''
  const list = change.addresses.map((a) => a.cidr).join(', ')
  return change.moveAddresses ? ` and move ${list} to it` : ` and remove ${list} from the host (guest-only uplink)`
}

/**
 * Commit-confirm: the revert is scheduled ON THE HOST before anything changes and fires after `confirmSeconds`
 * unless Virtnet confirms first. The confirm goes over a NEW SSH connection: the kept one may survive a change
 * (established traffic, a firewall per interface) that would leave the host unreachable for any later session.
 * Confirm and revert are mutually exclusive on the host (whichever renames the marker first wins), so a confirm that
 * comes too late fails, saying so, and never stops a revert half-way. Only a confirmed change is made to survive a
 * reboot; a failure before the confirm reverts at once when the host answers, and otherwise the host reverts by
 * itself, leaving nothing behind. Where Virtnet cannot persist the bridge (neither ifupdown nor NetworkManager), the
 * plan's detail lists the files that would, for the preview to show.
 */
export function hostBridgePlan(change: HostBridgeChange, persistence: Persistence, confirmSeconds: number): Plan {
  const p = paths(change.bridge)
  const { stack, ifupdownDir } = persistence
  const steps: PlanStep[] = [
    {
      label: 'Write the revert script',
      command: sh`${prepareCommand(change.bridge)} && cat > ${p.revert}`,
      stdin: revertScript(change),
      undo: { label: 'Remove the revert script', command: sh`rm -f ${p.revert} ${p.pid} ${p.armed}` },
    },
    {
      label: 'Write the change script',
      command: sh`cat > ${p.apply}`,
      stdin: applyScript(change),
      undo: { label: 'Remove the change script', command: sh`rm -f ${p.apply}` },
    },
    {
      label: `Schedule the automatic revert on the host in ${confirmSeconds} s (fires unless Virtnet confirms)`,
      command: scheduleRevertCommand(change.bridge, confirmSeconds),
      undo: { label: 'Revert the bridge change now', command: revertNowCommand(change.bridge) },
    },
    {
      label: `Create bridge ${change.bridge} over ${change.nic}${addressNote(change)} (runs detached on the host)`,
      command: applyDetachedCommand(change.bridge),
      timeoutMs: 15_000,
    },
    {
      label: `Check that the host still answers over SSH with ${change.nic} on ${change.bridge}`,
      command: checkBridgeCommand(change.bridge, change.nic),
      timeoutMs: 10_000,
    },
    {
      label: 'Confirm over a new SSH connection: cancel the automatic revert',
      command: confirmCommand(change.bridge),
      timeoutMs: 10_000,
      newConnection: true,
      undo: { label: 'Revert the confirmed bridge change', command: revertConfirmedCommand(change.bridge) },
    },
    ...persistSteps(stack, change, ifupdownDir),
    { label: 'Remove the change and revert scripts', command: cleanUpCommand(change.bridge) },
  ]
  const manualConfig =
    stack === 'other'
      ? [
          ...networkdFiles(change),
          {
            path: `/etc/network/interfaces.d/virtnet-${change.bridge} (if you install ifupdown)`,
            content: ifupdownStanza(change),
          },
        ]
      : []
  return {
    title: `Create host bridge ${change.bridge} over ${change.nic} (commit-confirm, ${confirmSeconds} s)`,
    steps,
    detail: { kind: 'host-bridge', manualConfig },
  }
}

/**
 * `options.persistence` replaces the detected network stack (tests point ifupdown at a directory of their own, so
 * that nothing under the host's real /etc/network is touched).
 */
export async function createHostBridge(
  host: { id: string; name: string },
  target: HostTarget,
  actor: { id: string | null; username: string },
  input: { bridge: string; nic: string; moveAddresses: boolean; confirmSeconds: number },
  options: { persistence?: Persistence } = {},
): Promise<{ jobId: string; done: Promise<void>; stack: NetworkStack }> {
  const { change, persistence } = await planChange(target, input, options.persistence)
  const plan = hostBridgePlan(change, persistence, input.confirmSeconds)
  const { jobId, done } = await startPlanJob({
    host,
    target,
    plan,
    actor,
    action: 'bridge.create.job',
    permission: 'manageBridges',
    auditTarget: change.bridge,
  })
  return { jobId, done, stack: persistence.stack }
}

export async function applyBridgeSettings(
  target: HostTarget,
  options: { disableBridgeNetfilter: boolean; mssClamping: boolean },
) {
  const mss = options.mssClamping ? parseMssProbe((await run(target, mssClampingProbe)).stdout) : null
  if (mss?.tool === 'none')
    throw new FieldErrors({
      mssClamping: ['This host has neither iptables nor nft, so Virtnet cannot clamp MSS here; install nftables.'],
    })
  await executePlan(
    target,
    bridgeSettingsPlan({ ...options, mssPresent: mss?.present ?? false, mssTool: mss?.tool ?? 'iptables' }),
  )
}
