import 'server-only'
import type { HostRef, UserActor } from '@/lib/core/types'
import type { HostTarget } from '@/lib/ssh'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { executePlan } from '@/lib/plan/execute'
import { stopIfPreviewing } from '@/lib/plan/dry-run'
import type { PlanStep } from '@/lib/plan/plan'
import { startPlanJob } from '@/lib/jobs/plan-job'
import { canonicalMac } from '@/lib/addresses/mac-address'
import { entryKey, validateEntry, type DhcpEntry, type EntryInput } from '@/lib/dhcp/entries'
import { checkImport, checkTable, type ImportLines } from '@/lib/dhcp/import'
import { readNetworkDhcpState, type NetworkDhcpState } from '@/lib/dhcp/host-state'
import { readLiveStatus } from '@/lib/dhcp/live-status'
import { BULK_MIN_CHANGES, planDhcpChanges, type ApplyMode, type DhcpPlan } from '@/lib/dhcp/plans'
import { diffEntries } from '@/lib/dhcp/diff'
import { desiredEntries, storeDesired } from '@/lib/dhcp/store'
import { driftOf, hostStatusOf } from '@/lib/dhcp/read'

/**
 * What an import's preview shows besides the steps: how many pasted lines add, change or repeat an entry, and the
 * first of those added and changed (a paste may hold thousands).
 */
export type DhcpImportDetail = {
  added: number
  changed: number
  unchanged: number
  add: DhcpEntry[]
  change: Array<{ from: DhcpEntry; to: DhcpEntry }>
}

/**
 * What a whole-table PUT changes (its preview, and its answer): entries added to, changed in and removed from the
 * table, the host's unmanaged entries it removes, and how many stay as they are; the first of each list.
 */
export type DhcpTableReport = DhcpImportDetail & {
  removed: number
  removedUnmanaged: number
  remove: DhcpEntry[]
  removeUnmanaged: DhcpEntry[]
}

declare module '@/lib/plan/plan' {
  interface PreviewDetailKinds {
    'dhcp-import': DhcpImportDetail
    'dhcp-table': DhcpTableReport
  }
}

const importLinesShown = 50

/** Compares the host with the desired table for the managed keys: what differs, in words, or null when they agree. */
function describeMismatch(state: NetworkDhcpState, desired: DhcpEntry[], removedKeys: string[]): string | null {
  const problems: string[] = []
  const hostStatus = hostStatusOf(state)
  for (const entry of desired) {
    const missing = hostStatus(entry)
    if (missing.length)
      problems.push(`${entry.mac ?? entry.id ?? entry.name} → ${entry.ip} is ${missing.join(' and ')}`)
  }
  const removed = new Set(removedKeys)
  for (const entry of [...(state.live?.entries ?? []), ...(state.config?.entries ?? [])])
    if (removed.has(entryKey(entry))) problems.push(`${entry.mac ?? entry.id ?? entry.name} is still on the host`)
  if (!problems.length) return null
  const shown = problems.slice(0, 5).join('; ')
  return `${shown}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`
}

export type ApplyResult = { mode: ApplyMode | 'none'; changes: string[]; note: string | null }

async function buildPlan(
  target: HostTarget,
  state: NetworkDhcpState,
  desired: DhcpEntry[],
  removedKeys: string[],
  strategy: 'auto' | ApplyMode = 'auto',
): Promise<DhcpPlan> {
  const liveChanges = state.live ? diffEntries(desired, state.live.entries, removedKeys).length : 0
  const wantsBulk = strategy === 'bulk' || (strategy === 'auto' && liveChanges >= BULK_MIN_CHANGES)
  if (!wantsBulk || !state.live || liveChanges === 0)
    return planDhcpChanges(state, desired, removedKeys, { strategy: strategy === 'bulk' ? 'auto' : strategy })
  const status = await readLiveStatus(target, state)
  return planDhcpChanges(
    state,
    desired,
    removedKeys,
    'live' in status ? { strategy, live: status.live } : { strategy, liveStatusRefusal: status.refusal },
  )
}

/**
 * Brings the host's static hosts for the managed keys to `desired` (the full desired table after the change) and
 * stores it. A failed step is rolled back by the executor; a plan that ran but left the host different (another
 * change raced it) is reported with what differs — the table keeps the desired state, so "Apply again" recovers.
 */
async function applyAndStore(
  host: HostRef,
  target: HostTarget,
  state: NetworkDhcpState,
  desired: DhcpEntry[],
  changed: DhcpEntry[],
  removedKeys: string[],
  options: { strategy?: 'auto' | ApplyMode } = {},
): Promise<ApplyResult> {
  const plan = await buildPlan(target, state, desired, removedKeys, options.strategy)
  await executePlan(target, plan.plan)
  await storeDesired(host.id, state.name, changed, removedKeys)
  const after = await finishWithNetUpdate(target, state.name, desired, removedKeys, plan)
  const problem = describeMismatch(after, desired, removedKeys)
  if (problem)
    throw new OperatorError(
      `The change ran, but the host does not match the desired table: ${problem}. Use "Apply desired table" to retry.`,
    )
  return { mode: plan.plan.steps.length ? plan.mode : 'none', changes: plan.changes, note: plan.note }
}

/**
 * After a bulk plan: whatever the reload did not bring into the live definition (see live-status.ts) is finished
 * with libvirt's per-entry net-update, so the result is right even where the fast path only partly worked.
 */
async function finishWithNetUpdate(
  target: HostTarget,
  name: string,
  desired: DhcpEntry[],
  removedKeys: string[],
  plan: DhcpPlan,
): Promise<NetworkDhcpState> {
  const after = await readNetworkDhcpState(target, name)
  if (plan.mode !== 'bulk' || !describeMismatch(after, desired, removedKeys)) return after
  const rest = planDhcpChanges(after, desired, removedKeys, { strategy: 'net-update' })
  plan.note = `the reload did not reach ${name}; ${rest.plan.steps.length} change(s) finished with net-update`
  await executePlan(target, rest.plan)
  return readNetworkDhcpState(target, name)
}

/** Everything that stays besides `key`: desired entries and unmanaged host entries (both may not clash). */
function othersThan(desired: DhcpEntry[], drift: DhcpEntry[], keys: Set<string>): DhcpEntry[] {
  return [...desired, ...drift].filter((e) => !keys.has(entryKey(e)))
}

export async function saveMapping(
  host: HostRef,
  target: HostTarget,
  network: string,
  input: EntryInput & { originalKey?: string },
) {
  const [state, desired] = await Promise.all([readNetworkDhcpState(target, network), desiredEntries(host.id, network)])
  const drift = driftOf(state, desired)
  const replacing = new Set(input.originalKey ? [input.originalKey] : [])
  const checked = validateEntry(input, state.definition, othersThan(desired, drift, replacing))
  if ('errors' in checked) throw new FieldErrors(checked.errors)
  const entry = checked.entry
  const key = entryKey(entry)
  if (!input.originalKey && desired.some((e) => entryKey(e) === key))
    throw new FieldErrors({
      [entry.family === 'ipv4' ? 'mac' : 'id']: ['This host already has a mapping; edit it instead.'],
    })
  const removedKeys = input.originalKey && input.originalKey !== key ? [input.originalKey] : []
  const next = [...desired.filter((e) => entryKey(e) !== key && !removedKeys.includes(entryKey(e))), entry]
  return { entry, result: await applyAndStore(host, target, state, next, [entry], removedKeys) }
}

export async function deleteMapping(host: HostRef, target: HostTarget, network: string, key: string) {
  const [state, desired] = await Promise.all([readNetworkDhcpState(target, network), desiredEntries(host.id, network)])
  if (!desired.some((e) => entryKey(e) === key))
    throw new OperatorError('That mapping is no longer in the table (someone may have deleted it).')
  return applyAndStore(
    host,
    target,
    state,
    desired.filter((e) => entryKey(e) !== key),
    [],
    [key],
  )
}

/** Drift → desired table, as the host has it; nothing changes on the host. */
export async function importDrift(host: HostRef, target: HostTarget, network: string, key: string) {
  const [state, desired] = await Promise.all([readNetworkDhcpState(target, network), desiredEntries(host.id, network)])
  const entry = driftOf(state, desired).find((e) => entryKey(e) === key)
  if (!entry) throw new OperatorError('That entry is no longer on the host, or is already in the table.')
  return { entry, result: await applyAndStore(host, target, state, [...desired, entry], [entry], []) }
}

export async function removeDrift(host: HostRef, target: HostTarget, network: string, key: string) {
  const [state, desired] = await Promise.all([readNetworkDhcpState(target, network), desiredEntries(host.id, network)])
  if (!driftOf(state, desired).some((e) => entryKey(e) === key))
    throw new OperatorError('That entry is no longer on the host, or is in the table.')
  return applyAndStore(host, target, state, desired, [], [key])
}

/** Re-applies the whole desired table (recovers a half-applied batch or an entry changed by hand). */
export async function reapplyDesired(
  host: HostRef,
  target: HostTarget,
  network: string,
  strategy: 'auto' | ApplyMode = 'auto',
) {
  const [state, desired] = await Promise.all([readNetworkDhcpState(target, network), desiredEntries(host.id, network)])
  return applyAndStore(host, target, state, desired, desired, [], { strategy })
}

export async function pinLease(host: HostRef, target: HostTarget, network: string, mac: string) {
  const state = await readNetworkDhcpState(target, network)
  const lease = state.leases.find((l) => l.protocol === 'ipv4' && canonicalMac(l.mac) === canonicalMac(mac))
  if (!lease) throw new OperatorError(`${mac} has no current IPv4 lease on ${network}.`)
  const desired = await desiredEntries(host.id, network)
  const existing = desired.find((e) => e.mac === canonicalMac(mac))
  try {
    return await saveMapping(host, target, network, {
      mac: lease.mac,
      ip: lease.ip,
      name: lease.hostname ?? undefined,
      originalKey: existing ? entryKey(existing) : undefined,
    })
  } catch (error) {
    // A one-click button has no fields to highlight: say what is wrong in the message.
    if (error instanceof FieldErrors)
      throw new OperatorError(`Cannot pin ${lease.ip} to ${lease.mac}: ${Object.values(error.errors).flat().join(' ')}`)
    throw error
  }
}

/**
 * For another domain's plan (a port forward that needs a fixed address): the steps that pin an entry on the host,
 * live and persistent with their undo, validated like the form. The caller stores the entry with storeDesired once
 * its plan has run, so the mapping is managed here like any other.
 */
export async function mappingSteps(
  hostId: string,
  target: HostTarget,
  network: string,
  input: EntryInput,
): Promise<{ entry: DhcpEntry; steps: PlanStep[] }> {
  const state = await readNetworkDhcpState(target, network)
  const desired = await desiredEntries(hostId, network)
  const checked = validateEntry(input, state.definition, othersThan(desired, driftOf(state, desired), new Set()))
  if ('errors' in checked) throw new FieldErrors(checked.errors)
  return {
    entry: checked.entry,
    steps: planDhcpChanges(state, [checked.entry], [], { strategy: 'net-update' }).plan.steps,
  }
}

/** A refused paste or table: the first twenty bad lines on the CSV field, and how many more there are. */
function csvRefusal(messages: string[]): FieldErrors {
  return new FieldErrors({
    csv: messages
      .slice(0, 20)
      .concat(messages.length > 20 ? [`… and ${messages.length - 20} more lines with errors.`] : []),
  })
}

/** Validates pasted CSV against the network and everything that stays; refuses the whole paste on any bad line. */
async function validateImport(
  host: HostRef,
  target: HostTarget,
  network: string,
  csv: string,
): Promise<{ state: NetworkDhcpState; desired: DhcpEntry[]; lines: ImportLines }> {
  const [state, desired] = await Promise.all([readNetworkDhcpState(target, network), desiredEntries(host.id, network)])
  const checked = checkImport(csv, state.definition, desired, driftOf(state, desired))
  if ('messages' in checked) throw csvRefusal(checked.messages)
  return { state, desired, lines: checked.lines }
}

/**
 * Applies pasted CSV as a job the page follows live: the plan, then a last step that re-reads the host, finishes with
 * net-update whatever a reload missed and compares the host with the desired table. The job writes its own audit
 * record (dhcp.import.job) with every command when it ends. A dry run stops at the plan, which tells as its detail
 * what the paste adds and changes.
 */
export async function startImport(
  host: HostRef,
  target: HostTarget,
  network: string,
  csv: string,
  actor: UserActor,
): Promise<{ jobId: string; entryCount: number }> {
  const { state, desired, lines } = await validateImport(host, target, network, csv)
  const changed = [...lines.add, ...lines.change.map((c) => c.to)]
  if (!changed.length) throw new OperatorError('Every line is already in the table; nothing to import.')
  const byKey = new Map(desired.map((e) => [entryKey(e), e]))
  for (const entry of changed) byKey.set(entryKey(entry), entry)
  const next = [...byKey.values()]
  const dhcpPlan = await buildPlan(target, state, next, [])
  const detail = {
    kind: 'dhcp-import' as const,
    added: lines.add.length,
    changed: lines.change.length,
    unchanged: lines.unchanged.length,
    add: lines.add.slice(0, importLinesShown),
    change: lines.change.slice(0, importLinesShown),
  }
  const title = `Import ${changed.length} static DHCP host${changed.length === 1 ? '' : 's'} into ${network} (${dhcpPlan.mode})`
  const { jobId } = await startPlanJob({
    host,
    target,
    plan: { ...dhcpPlan.plan, title, detail },
    actor,
    action: 'dhcp.import.job',
    permission: 'manageNetworks',
    auditTarget: network,
    auditParams: { add: lines.add.length, change: lines.change.length, mode: dhcpPlan.mode },
    afterSuccess: () => storeDesired(host.id, network, changed),
    check: {
      label: 'Re-read the host, finish anything the reload missed with net-update, compare with the desired table',
      run: async () => {
        const problem = describeMismatch(await finishWithNetUpdate(target, network, next, [], dhcpPlan), next, [])
        const output = `${dhcpPlan.note ? `Note: ${dhcpPlan.note}. ` : ''}${problem ?? `${next.length} desired entries match the live and persistent definitions.`}`
        return {
          output,
          failure:
            problem && `The host does not match the desired table: ${problem}. Use "Apply desired table" to retry.`,
        }
      },
    },
  })
  return { jobId, entryCount: changed.length }
}

/**
 * Makes the network's static table exactly `csv` (a declarative PUT): what the CSV adds and changes is applied, what
 * the table has and the CSV does not is removed, and so are the host's entries Virtnet does not keep (drift) that the
 * CSV does not name, so the host ends with exactly these entries. Validation is the import's (checkTable), the plan
 * the same bulk path (buildPlan: one reload from BULK_MIN_CHANGES on, otherwise net-update), run as a job with the
 * import's closing check. A table that already matches starts no job: `jobId` is null and the report says so; its
 * preview is an empty plan with the report.
 */
export async function startTableReplace(
  host: HostRef,
  target: HostTarget,
  network: string,
  csv: string,
  actor: UserActor,
): Promise<{ jobId: string | null; report: { kind: 'dhcp-table' } & DhcpTableReport }> {
  const [state, desired] = await Promise.all([readNetworkDhcpState(target, network), desiredEntries(host.id, network)])
  const checked = checkTable(csv, state.definition, desired, driftOf(state, desired))
  if ('messages' in checked) throw csvRefusal(checked.messages)
  const { lines } = checked
  const changed = [...lines.add, ...lines.change.map((c) => c.to)]
  const next = [...lines.unchanged, ...changed]
  const removedKeys = [...lines.remove, ...lines.removeUnmanaged].map(entryKey)
  const dhcpPlan = await buildPlan(target, state, next, removedKeys)
  const report = {
    kind: 'dhcp-table' as const,
    added: lines.add.length,
    changed: lines.change.length,
    unchanged: lines.unchanged.length,
    removed: lines.remove.length,
    removedUnmanaged: lines.removeUnmanaged.length,
    add: lines.add.slice(0, importLinesShown),
    change: lines.change.slice(0, importLinesShown),
    remove: lines.remove.slice(0, importLinesShown),
    removeUnmanaged: lines.removeUnmanaged.slice(0, importLinesShown),
  }
  const counts = `+${report.added} ~${report.changed} -${report.removed + report.removedUnmanaged}`
  const title = `Set the static DHCP table of ${network} to ${next.length} entr${next.length === 1 ? 'y' : 'ies'} (${counts}, ${dhcpPlan.mode})`
  const plan = { ...dhcpPlan.plan, title, detail: report }
  // Entries the host already has as the CSV says still change the table (an unmanaged entry becomes a kept one).
  if (!changed.length && !removedKeys.length && !plan.steps.length) {
    stopIfPreviewing(plan)
    return { jobId: null, report }
  }
  const { jobId } = await startPlanJob({
    host,
    target,
    plan,
    actor,
    action: 'dhcp.table.job',
    permission: 'manageNetworks',
    auditTarget: network,
    auditParams: {
      add: report.added,
      change: report.changed,
      remove: report.removed,
      removeUnmanaged: report.removedUnmanaged,
      mode: dhcpPlan.mode,
    },
    afterSuccess: () => storeDesired(host.id, network, changed, removedKeys),
    check: {
      label: 'Re-read the host, finish anything the reload missed with net-update, compare with the desired table',
      run: async () => {
        const after = await finishWithNetUpdate(target, network, next, removedKeys, dhcpPlan)
        const problem = describeMismatch(after, next, removedKeys)
        const output = `${dhcpPlan.note ? `Note: ${dhcpPlan.note}. ` : ''}${problem ?? `${next.length} desired entries match the live and persistent definitions; ${removedKeys.length} removed.`}`
        return {
          output,
          failure:
            problem && `The host does not match the desired table: ${problem}. Use "Apply desired table" to retry.`,
        }
      },
    },
  })
  return { jobId, report }
}
