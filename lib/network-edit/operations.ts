import 'server-only'
import type { HostRef, UserActor } from '@/lib/core/types'
import { db } from '@/lib/db/client'
import type { HostTarget } from '@/lib/ssh'
import { authorize } from '@/lib/auth/authorize'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { startPlanJob } from '@/lib/jobs/plan-job'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import type { Plan } from '@/lib/plan/plan'
import { getHost, toTarget } from '@/lib/hosts/store'
import { getNetwork, networkXml, type NetworkSummary } from '@/lib/libvirt/read-networks'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { renderNetworkXml } from '@/lib/libvirt-xml/network-render'
import { parseXml } from '@/lib/xml/xml-parse'
import { classifyNetworkEdit, type EditClass } from '@/lib/network-edit/classify'
import { diffLines, type DiffLine } from '@/lib/network-edit/diff'
import { readEditedNetwork } from '@/lib/network-edit/edit-document'
import { defineEditPlan, liveUpdatePlan, restartReattachPlan } from '@/lib/network-edit/plans'
import { runningGuestTaps, tapsOffBridge, type GuestTap } from '@/lib/network-edit/taps'

/** What an edit starts from: the persistent definition (what net-define replaces), or the live one of a transient network. */
async function currentDefinition(target: HostTarget, name: string): Promise<{ network: NetworkSummary; xml: string }> {
  const network = await getNetwork(target, name)
  if (!network) throw new OperatorError(`There is no network named ${name} on this host (it may have been removed).`)
  return { network, xml: await networkXml(target, name, { inactive: network.persistent }) }
}

export async function networkEditPageData(hostId: string, name: string) {
  await authorize('viewHosts')
  const host = await getHost(hostId)
  if (!host?.pinnedFingerprint) return null
  const target = toTarget(host)
  const network = await getNetwork(target, name)
  if (!network) return { host, network: null, xml: null, taps: [] as GuestTap[] }
  const [xml, taps] = await Promise.all([
    networkXml(target, name, { inactive: network.persistent }),
    network.active ? runningGuestTaps(target, name) : Promise.resolve([]),
  ])
  return { host, network, xml, taps }
}

export type EditPreview = { diff: DiffLine[]; edit: EditClass; active: boolean; guests: GuestTap[]; xml: string }

/** The diff against the current definition and how the change would be applied; nothing changes on the host. */
export async function previewNetworkEdit(target: HostTarget, name: string, editedXml: string): Promise<EditPreview> {
  const { network, xml } = await currentDefinition(target, name)
  const current = parseXml(xml)
  const edited = readEditedNetwork(editedXml, current)
  const rendered = renderNetworkXml(edited)
  const taps = network.active ? await runningGuestTaps(target, name) : []
  return {
    diff: diffLines(xml, rendered),
    edit: classifyNetworkEdit(current, edited),
    active: network.active,
    guests: taps,
    xml: rendered,
  }
}

/** libvirt's refusal of the definition is a problem with the operator's XML: show it on the field, nothing changed. */
async function defineOrRefuse(target: HostTarget, plan: Plan) {
  try {
    await executePlan(target, plan)
  } catch (error) {
    if (error instanceof PlanFailedError)
      throw new FieldErrors({
        xml: [error.message.replace(/^Step 1 of 1 \("[^"]*"\) failed: /, 'libvirt refused the definition: ')],
      })
    throw error
  }
}

async function keepDesiredInStep(host: HostRef, name: string, xml: string) {
  await db.desiredNetwork.updateMany({ where: { hostId: host.id, name }, data: { xml } })
}

export type EditOutcome = {
  mode: 'none' | 'live' | 'define' | 'restart'
  message: string
  jobId?: string
  finished?: Promise<void>
}

/**
 * Applies an edited definition the least disruptive way: nothing when unchanged; net-update in place when libvirt can
 * do it live; a plain redefine for a stopped network; otherwise redefine now (validated by libvirt, refusals become
 * field errors) and restart + re-attach as a job the page follows live. `finished` settles when that job ends.
 */
export async function applyNetworkEdit(
  host: HostRef,
  target: HostTarget,
  actor: UserActor,
  name: string,
  editedXml: string,
): Promise<EditOutcome> {
  const { network, xml: previousXml } = await currentDefinition(target, name)
  const current = parseXml(previousXml)
  const edited = readEditedNetwork(editedXml, current)
  const xml = renderNetworkXml(edited)
  const edit = classifyNetworkEdit(current, edited)
  if (edit.kind === 'none')
    return { mode: 'none', message: `No change: the edited XML means the same as the current definition of ${name}.` }

  if (edit.kind === 'live' && (network.active || network.persistent)) {
    await executePlan(target, liveUpdatePlan(name, edit.updates, network))
    if (network.persistent) await keepDesiredInStep(host, name, await networkXml(target, name, { inactive: true }))
    return {
      mode: 'live',
      message: `Updated ${name} in place with ${edit.updates.length} net-update command${edit.updates.length === 1 ? '' : 's'}; guests stayed connected.`,
    }
  }
  if (!network.persistent)
    throw new OperatorError(
      `${name} is transient: libvirt can only change it with net-update, and this edit needs a redefine (${edit.kind === 'restart' ? edit.reasons.join(', ') : ''}).`,
    )

  await defineOrRefuse(target, defineEditPlan(name, xml, previousXml))
  await keepDesiredInStep(host, name, xml)
  if (!network.active)
    return { mode: 'define', message: `Saved the new definition of ${name}; it applies when the network starts.` }

  // libvirt assigns a bridge name on define when the XML has none; read back what it chose.
  const bridge = parseNetworkXml(await networkXml(target, name, { inactive: true })).bridge?.name
  const previousBridge = network.bridge
  if (!bridge || !previousBridge)
    throw new OperatorError(
      `${name} has no bridge, so its guests cannot be re-attached; the new definition is saved and applies at its next start.`,
    )
  const taps = await runningGuestTaps(target, name)
  const plan = restartReattachPlan({ network: name, previousXml, previousBridge, bridge, taps })
  const { jobId, done } = await startPlanJob({
    host,
    target,
    plan,
    actor,
    action: 'network.edit.job',
    auditTarget: name,
  })
  return {
    mode: 'restart',
    message: `Saved the new definition of ${name}; restarting it and re-attaching ${taps.length} guest interface${taps.length === 1 ? '' : 's'}…`,
    jobId,
    finished: done,
  }
}

/** For tests and the benchmark: running guests' taps on the network that are not ports of its bridge. */
export async function networkTapsOffBridge(
  target: HostTarget,
  name: string,
): Promise<{ taps: GuestTap[]; off: string[] }> {
  const network = await getNetwork(target, name)
  if (!network?.bridge) throw new OperatorError(`${name} has no bridge.`)
  const taps = await runningGuestTaps(target, name)
  return {
    taps,
    off: await tapsOffBridge(
      target,
      taps.map((t) => t.tap),
      network.bridge,
    ),
  }
}
