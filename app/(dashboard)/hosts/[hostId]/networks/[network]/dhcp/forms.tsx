'use client'

import { useActionState, useState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import type { DhcpEntry } from '@/lib/dhcp/entries'
import type { DhcpImportDetail } from '@/lib/dhcp/changes'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { JobFollower } from '@/app/ui/job-follower'
import { SubmitButton } from '@/app/ui/submit-button'
import { PlanFormActions, PlanPreview, PreviewButton } from '@/app/ui/plan-preview'
import { importCsvAction, saveMappingAction } from './actions'

type Editing = { key: string; mac?: string; id?: string; name?: string; ip: string } | null

export function MappingForm({
  hostId,
  network,
  editing,
  ipv6,
}: {
  hostId: string
  network: string
  editing: Editing
  ipv6: boolean
}) {
  const [state, action, pending] = useActionState(saveMappingAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate key={editing?.key ?? 'new'}>
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="network" value={network} />
      {editing && <input type="hidden" name="originalKey" value={editing.key} />}
      <div className="grid grid-cols-2 gap-3">
        <TextField
          state={state}
          name="mac"
          label="MAC address"
          inputClassName="font-mono"
          placeholder="52:54:00:12:34:56"
          defaultValue={editing?.mac}
        />
        <TextField
          state={state}
          name="ip"
          label="IP address"
          inputClassName="font-mono"
          placeholder="192.168.122.50"
          defaultValue={editing?.ip}
        />
        <TextField
          state={state}
          name="name"
          label="Host name (optional)"
          placeholder="web1"
          defaultValue={editing?.name}
        />
        {ipv6 && (
          <TextField
            state={state}
            name="id"
            label="DHCPv6 DUID (IPv6 entries)"
            inputClassName="font-mono"
            placeholder="0:3:0:1:52:54:0:12:34:56"
            defaultValue={editing?.id}
          />
        )}
      </div>
      <PlanFormActions state={state} pending={pending} pendingLabel="Applying…">
        {editing ? 'Save mapping' : 'Add mapping'}
      </PlanFormActions>
    </form>
  )
}

export function ImportForm({ hostId, network }: { hostId: string; network: string }) {
  const [state, action, pending] = useActionState(importCsvAction, initialFormState)
  // Controlled, so the pasted text survives the form reset after "Preview" and "Import" sends the same lines.
  const [csv, setCsv] = useState('')
  const preview = state.status === 'preview' && state.detail?.kind === 'dhcp-import' ? state.detail : null
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <input type="hidden" name="network" value={network} />
      <div>
        <label className="label" htmlFor="csv">
          CSV lines <span className="code">mac,ip,name</span> (DHCPv6: <span className="code">duid,ip,name</span>)
        </label>
        <textarea
          className="input h-32 font-mono text-xs"
          placeholder={'52:54:00:12:34:56,192.168.122.50,web1'}
          {...fieldProps(state, 'csv')}
          defaultValue={undefined}
          value={csv}
          onChange={(event) => setCsv(event.target.value)}
        />
        <FieldError state={state} name="csv" />
      </div>
      {preview ? (
        <>
          <pre
            role="status"
            className="max-h-60 overflow-auto rounded bg-slate-50 dark:bg-slate-800 p-2 text-xs whitespace-pre-wrap"
            data-testid="import-preview"
          >
            {importSummary(preview)}
          </pre>
          <details className="text-sm">
            <summary className="cursor-pointer text-slate-600 dark:text-slate-300">
              The host commands it would run ({state.plan?.length ?? 0})
            </summary>
            <PlanPreview state={state} />
          </details>
        </>
      ) : state.jobId ? (
        <JobFollower jobId={state.jobId} />
      ) : (
        <FormStatus state={state} />
      )}
      <div className="flex gap-2">
        <PreviewButton pending={pending} />
        <SubmitButton pending={pending} disabled={!preview}>
          Import
        </SubmitButton>
      </div>
    </form>
  )
}

const entryLabel = (e: DhcpEntry) => `${e.mac ?? e.id ?? e.name} → ${e.ip}${e.name ? ` (${e.name})` : ''}`

/** The import preview in lines: the counts, then "+" for each entry added and "~" for each changed. */
function importSummary(detail: DhcpImportDetail): string {
  const lines = [
    `Preview — nothing changed yet: ${detail.added} to add, ${detail.changed} to change, ${detail.unchanged} unchanged.`,
    ...detail.add.map((e) => `+ ${entryLabel(e)}`),
    ...detail.change.map(
      (c) =>
        `~ ${c.from.mac ?? c.from.id}: ${c.from.ip}${c.from.name ? ` (${c.from.name})` : ''} → ${c.to.ip}${c.to.name ? ` (${c.to.name})` : ''}`,
    ),
  ]
  if (detail.add.length < detail.added || detail.change.length < detail.changed) lines.push('…')
  return lines.join('\n')
}
