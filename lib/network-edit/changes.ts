import 'server-only'
import type { HostRef, UserActor } from '@/lib/core/types'
import { db } from '@/lib/db/client'
import type { HostTarget } from '@/lib/ssh'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { startPlanJob } from '@/lib/jobs/plan-job'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { stopIfPreviewing } from '@/lib/plan/dry-run'
import type { Plan } from '@/lib/plan/plan'
import { getNetwork, networkXml, type NetworkSummary } from '@/lib/libvirt/read-networks'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'
import { renderNetworkXml } from '@/lib/libvirt-xml/network-render'
import { parseXml } from '@/lib/xml/xml-parse'
import { classifyNetworkEdit, type EditClass } from '@/lib/network-edit/classify'
import { diffLines, type DiffLine } from '@/lib/network-edit/diff'
import { readEditedNetwork } from '@/lib/network-edit/edit-document'
import { dnsmasqOptionsProblem } from '@/lib/network-edit/dnsmasq-options'
import type { Role } from '@/lib/auth/roles'
import { defineEditPlan, liveUpdatePlan, restartReattachPlan } from '@/lib/network-edit/plans'
import { runningGuestTaps, type GuestTap } from '@/lib/network-edit/taps'
import { definitionVersion } from '@/lib/network-edit/version'
import { refusedOnLines } from '@/lib/network-edit/refusal'
import { oneAtATimeAcrossReplicas } from '@/lib/jobs/lease'

/** What the editor's preview shows besides the steps: the diff, how the edit applies, and the running guests a restart re-attaches. */
export type NetworkEditDetail = { diff: DiffLine[]; edit: EditClass; active: boolean; guests: GuestTap[] }

declare module '@/lib/plan/plan' {
  interface PreviewDetailKinds {
    'network-edit': NetworkEditDetail
  }
}

/** What an edit starts from: the persistent definition (what net-define replaces), or the live one of a transient network. */
async function currentDefinition(target: HostTarget, name: string): Promise<{ network: NetworkSummary; xml: string }> {
  const network = await getNetwork(target, name)
  if (!network) throw new OperatorError(`There is no network named ${name} on this host (it may have been removed).`)
  return { network, xml: await networkXml(target, name, { inactive: network.persistent }) }
}

/**
 * libvirt's refusal of the definition is a problem with the operator's XML: show it on the field, on the lines it is
 * about in the text the operator wrote, nothing changed.
 */
async function defineOrRefuse(target: HostTarget, plan: Plan, editedXml: string, previousXml: string) {
  try {
    await executePlan(target, plan)
  } catch (error) {
    if (error instanceof PlanFailedError) throw refusedOnLines(error, 'the definition', editedXml, previousXml)
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

// One edit per network at a time: each edit checks the definition it was made on against the host's, then changes it.
const oneEditAtATime = oneAtATimeAcrossReplicas('network-edit')

/**
 * Applies an edited definition the least disruptive way: nothing when unchanged; net-update in place when libvirt can
 * do it live; a plain redefine for a stopped network; otherwise redefine now (validated by libvirt, refusals become
 * field errors) and restart + re-attach as a job the page follows live. `finished` settles when that job ends.
 * A preview stops at the first plan, which carries the diff and how the edit applies. Only a role that may edit
 * dnsmasq: options may save an edit that adds, changes or removes them (dnsmasq-options.ts). `baseVersion` is the
 * definitionVersion of the definition the editor was opened on: an edit made on a definition that has changed since
 * is refused, so a second operator's edit never silently undoes the first one's.
 */
export function applyNetworkEdit(
  host: HostRef,
  target: HostTarget,
  actor: UserActor & { role: Role },
  name: string,
  editedXml: string,
  baseVersion: string,
): Promise<EditOutcome> {
  return oneEditAtATime(`${host.id}/${name}`, () => applyEditNow(host, target, actor, name, editedXml, baseVersion))
}

async function applyEditNow(
  host: HostRef,
  target: HostTarget,
  actor: UserActor & { role: Role },
  name: string,
  editedXml: string,
  baseVersion: string,
): Promise<EditOutcome> {
  const { network, xml: previousXml } = await currentDefinition(target, name)
  if (definitionVersion(previousXml) !== baseVersion)
    throw new FieldErrors({
      xml: [
        `${name} changed since you opened the editor (another edit was applied); reload the page to edit its current definition. Nothing was changed.`,
      ],
    })
  const current = parseXml(previousXml)
  const edited = readEditedNetwork(editedXml, current)
  const dnsmasqProblem = dnsmasqOptionsProblem(actor.role, current, edited)
  if (dnsmasqProblem) throw new FieldErrors({ xml: [dnsmasqProblem] })
  const xml = renderNetworkXml(edited)
  const edit = classifyNetworkEdit(current, edited)
  // Read before anything changes, so that a preview names them too; the restart re-attaches exactly these.
  const taps = edit.kind === 'restart' && network.active ? await runningGuestTaps(target, name) : []
  const detail = {
    kind: 'network-edit' as const,
    diff: diffLines(previousXml, xml),
    edit,
    active: network.active,
    guests: taps,
  }
  if (edit.kind === 'none') {
    // Nothing to run; a preview still shows the diff and says so.
    stopIfPreviewing({ title: `Keep ${name} as it is`, steps: [], detail })
    return {
      mode: 'none',
      message: `Nothing to apply: to libvirt the edited XML means the same as the current definition of ${name}.`,
    }
  }

  if (edit.kind === 'live' && (network.active || network.persistent)) {
    await executePlan(target, { ...liveUpdatePlan(name, edit.updates, network), detail })
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

  await defineOrRefuse(target, { ...defineEditPlan(name, xml, previousXml), detail }, editedXml, previousXml)
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
  const plan = restartReattachPlan({ network: name, previousXml, previousBridge, bridge, taps })
  const { jobId, done } = await startPlanJob({
    host,
    target,
    plan,
    actor,
    action: 'network.edit.job',
    permission: 'manageNetworks',
    auditTarget: name,
  })
  return {
    mode: 'restart',
    message: `Saved the new definition of ${name}; restarting it and re-attaching ${taps.length} guest interface${taps.length === 1 ? '' : 's'}…`,
    jobId,
    finished: done,
  }
}
