'use server'

import { revalidatePath } from 'next/cache'
import { onHost, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { toTarget } from '@/lib/hosts/store'
import {
  DhcpNetworkSchema,
  ImportSchema,
  MappingKeySchema,
  PinLeaseSchema,
  SaveMappingSchema,
  TableSchema,
} from '@/lib/dhcp/schemas'
import {
  deleteMapping,
  importDrift,
  pinLease,
  reapplyDesired,
  removeDrift,
  saveMapping,
  startImport,
  startTableReplace,
  type ApplyResult,
} from '@/lib/dhcp/changes'

const dhcpPath = (hostId: string, network: string) => `/hosts/${hostId}/networks/${encodeURIComponent(network)}/dhcp`
const applyModeNote = (result: ApplyResult) =>
  result.mode === 'none'
    ? ' The host already had it.'
    : result.mode === 'bulk'
      ? ' Applied live in one reload.'
      : ` Applied live with net-update${result.note ? ` (${result.note})` : ''}.`

export async function saveMappingAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(
      formData,
      'dhcp.mapping.save',
      'manageNetworks',
      SaveMappingSchema,
      (d) => `${d.network} ${d.mac ?? d.id ?? d.name ?? ''}`,
    ),
    async ({ data, host }) => {
      const { entry, result } = await saveMapping(host, toTarget(host), data.network, data)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Pinned ${entry.mac ?? entry.id ?? entry.name} to ${entry.ip}.${applyModeNote(result)}`
    },
  )
}

export async function deleteMappingAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'dhcp.mapping.delete', 'manageNetworks', MappingKeySchema, (d) => `${d.network} ${d.key}`),
    async ({ data, host }) => {
      const result = await deleteMapping(host, toTarget(host), data.network, data.key)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Removed the mapping.${applyModeNote(result)}`
    },
  )
}

export async function importDriftAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'dhcp.drift.import', 'manageNetworks', MappingKeySchema, (d) => `${d.network} ${d.key}`),
    async ({ data, host }) => {
      const { entry } = await importDrift(host, toTarget(host), data.network, data.key)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Imported ${entry.mac ?? entry.id ?? entry.name} → ${entry.ip} into the table.`
    },
  )
}

export async function removeDriftAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'dhcp.drift.remove', 'manageNetworks', MappingKeySchema, (d) => `${d.network} ${d.key}`),
    async ({ data, host }) => {
      const result = await removeDrift(host, toTarget(host), data.network, data.key)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Removed the entry from the host.${applyModeNote(result)}`
    },
  )
}

export async function pinLeaseAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'dhcp.lease.pin', 'manageNetworks', PinLeaseSchema, (d) => `${d.network} ${d.mac}`),
    async ({ data, host }) => {
      const { entry, result } = await pinLease(host, toTarget(host), data.network, data.mac)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Pinned ${entry.mac} to its current address ${entry.ip}.${applyModeNote(result)}`
    },
  )
}

export async function reapplyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'dhcp.reapply', 'manageNetworks', DhcpNetworkSchema, (d) => d.network),
    async ({ data, host }) => {
      const result = await reapplyDesired(host, toTarget(host), data.network)
      revalidatePath(dhcpPath(host.id, data.network))
      return result.mode === 'none'
        ? 'The host already matches the desired table.'
        : `Applied ${result.changes.length} change(s).${applyModeNote(result)}`
    },
  )
}

/** Starts the import job; its dry run ("Preview") says what the paste adds and changes. */
export async function importCsvAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'dhcp.import', 'manageNetworks', ImportSchema, (d) => d.network),
    async ({ data, host, user }) => {
      const { jobId, entryCount } = await startImport(host, toTarget(host), data.network, data.csv, user)
      return { message: `Importing ${entryCount} entries…`, jobId }
    },
  )
}

/**
 * Makes the network's static table exactly the posted CSV (the API's PUT): removes what it does not name, as a job;
 * its preview and its answer report what is added, changed, removed and unchanged.
 */
export async function replaceTableAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    onHost(formData, 'dhcp.table.replace', 'manageNetworks', TableSchema, (d) => d.network),
    async ({ data, host, user }) => {
      const { jobId, report } = await startTableReplace(host, toTarget(host), data.network, data.csv, user)
      const counts = `${report.added} added, ${report.changed} changed, ${report.removed + report.removedUnmanaged} removed, ${report.unchanged} unchanged`
      if (!jobId) return { message: `The table already matches (${counts}).`, detail: report }
      revalidatePath(dhcpPath(host.id, data.network))
      return { message: `Setting the table: ${counts}…`, jobId, detail: report }
    },
  )
}
