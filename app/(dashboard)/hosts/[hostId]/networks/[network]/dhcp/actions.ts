'use server'

import { revalidatePath } from 'next/cache'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { requireConnectableHost, toTarget } from '@/lib/hosts/store'
import {
  DhcpNetworkSchema,
  ImportSchema,
  MappingKeySchema,
  PinLeaseSchema,
  SaveMappingSchema,
} from '@/lib/dhcp/schemas'
import {
  deleteMapping,
  describePreview,
  importDrift,
  pinLease,
  previewImport,
  reapplyDesired,
  removeDrift,
  saveMapping,
  startImport,
  type ApplyResult,
} from '@/lib/dhcp/operations'

const connectableHost = async ({ hostId }: { hostId: string }) => (await requireConnectableHost(hostId)).row
const dhcpPath = (hostId: string, network: string) => `/hosts/${hostId}/networks/${encodeURIComponent(network)}/dhcp`
const applyModeNote = (result: ApplyResult) =>
  result.mode === 'none'
    ? ' The host already had it.'
    : result.mode === 'bulk'
      ? ' Applied live in one reload.'
      : ` Applied live with net-update${result.note ? ` (${result.note})` : ''}.`

export async function saveMappingAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'dhcp.mapping.save',
      permission: 'manageNetworks',
      schema: SaveMappingSchema,
      input: formData,
      host: connectableHost,
      target: (d) => `${d.network} ${d.mac ?? d.id ?? d.name ?? ''}`,
    },
    async ({ data, host }) => {
      const { entry, result } = await saveMapping(host, toTarget(host), data.network, data)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Pinned ${entry.mac ?? entry.id ?? entry.name} to ${entry.ip}.${applyModeNote(result)}`
    },
  )
}

export async function deleteMappingAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'dhcp.mapping.delete',
      permission: 'manageNetworks',
      schema: MappingKeySchema,
      input: formData,
      host: connectableHost,
      target: (d) => `${d.network} ${d.key}`,
    },
    async ({ data, host }) => {
      const result = await deleteMapping(host, toTarget(host), data.network, data.key)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Removed the mapping.${applyModeNote(result)}`
    },
  )
}

export async function importDriftAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'dhcp.drift.import',
      permission: 'manageNetworks',
      schema: MappingKeySchema,
      input: formData,
      host: connectableHost,
      target: (d) => `${d.network} ${d.key}`,
    },
    async ({ data, host }) => {
      const { entry } = await importDrift(host, toTarget(host), data.network, data.key)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Imported ${entry.mac ?? entry.id ?? entry.name} → ${entry.ip} into the table.`
    },
  )
}

export async function removeDriftAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'dhcp.drift.remove',
      permission: 'manageNetworks',
      schema: MappingKeySchema,
      input: formData,
      host: connectableHost,
      target: (d) => `${d.network} ${d.key}`,
    },
    async ({ data, host }) => {
      const result = await removeDrift(host, toTarget(host), data.network, data.key)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Removed the entry from the host.${applyModeNote(result)}`
    },
  )
}

export async function pinLeaseAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'dhcp.lease.pin',
      permission: 'manageNetworks',
      schema: PinLeaseSchema,
      input: formData,
      host: connectableHost,
      target: (d) => `${d.network} ${d.mac}`,
    },
    async ({ data, host }) => {
      const { entry, result } = await pinLease(host, toTarget(host), data.network, data.mac)
      revalidatePath(dhcpPath(host.id, data.network))
      return `Pinned ${entry.mac} to its current address ${entry.ip}.${applyModeNote(result)}`
    },
  )
}

export async function reapplyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'dhcp.reapply',
      permission: 'manageNetworks',
      schema: DhcpNetworkSchema,
      input: formData,
      host: connectableHost,
      target: (d) => d.network,
    },
    async ({ data, host }) => {
      const result = await reapplyDesired(host, toTarget(host), data.network)
      revalidatePath(dhcpPath(host.id, data.network))
      return result.mode === 'none'
        ? 'The host already matches the desired table.'
        : `Applied ${result.changes.length} change(s).${applyModeNote(result)}`
    },
  )
}

export async function importCsvAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const intent = formData.get('intent') === 'apply' ? 'apply' : 'preview'
  return runAction(
    {
      action: intent === 'apply' ? 'dhcp.import' : 'dhcp.import.preview',
      permission: 'manageNetworks',
      schema: ImportSchema,
      input: formData,
      host: connectableHost,
      target: (d) => d.network,
    },
    async ({ data, host, user }) => {
      if (data.intent === 'preview')
        return describePreview((await previewImport(host, toTarget(host), data.network, data.csv)).preview)
      const { jobId, preview } = await startImport(host, toTarget(host), data.network, data.csv, user)
      return { message: `Importing ${preview.add.length + preview.change.length} entries…`, jobId }
    },
  )
}
