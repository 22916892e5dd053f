'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, RowStatus } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { SelectField } from '@/app/ui/select-field'
import { Checkbox } from '@/app/ui/checkbox'
import { JobFollower } from '@/app/ui/job-follower'
import { SubmitButton } from '@/app/ui/submit-button'
import { dryRunOf, PlanFormActions, PlanPreview } from '@/app/ui/plan-preview'
import { NetworkStartOptions } from '../networks/network-forms'
import { attachGuestAction, bridgeSettingsAction, createBridgeNetworkAction, createHostBridgeAction } from './actions'

const previewHostBridgeAction = dryRunOf(createHostBridgeAction)

export function CreateHostBridgeForm({ hostId, nics }: { hostId: string; nics: string[] }) {
  const [previewState, preview, previewing] = useActionState(previewHostBridgeAction, initialFormState)
  const [state, create, creating] = useActionState(createHostBridgeAction, initialFormState)
  const merged = { ...initialFormState, errors: { ...previewState.errors, ...state.errors }, values: state.values }
  const manualConfig = previewState.detail?.kind === 'host-bridge' ? previewState.detail.manualConfig : []
  return (
    <form className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-3 gap-3">
        <TextField state={merged} name="bridge" label="Bridge name" placeholder="br0" />
        <TextField state={merged} name="nic" label="NIC" placeholder={nics[0] ?? 'eno1'} list="bridge-nics" />
        <datalist id="bridge-nics">
          {nics.map((nic) => (
            <option key={nic} value={nic} />
          ))}
        </datalist>
        {/* Text, not type="number": a browser sends "" for what it cannot read as a number, and the one
            whole-number rule (lib/addresses/value-rules.ts) should judge what was typed. */}
        <TextField
          state={merged}
          name="confirmSeconds"
          label="Revert unless confirmed within (s)"
          inputMode="numeric"
          defaultValue="60"
        />
      </div>
      <Checkbox state={merged} name="moveAddresses" defaultChecked>
        Move the NIC&apos;s addresses and gateway routes to the bridge (untick for a guest-only uplink: the host loses
        those addresses)
      </Checkbox>
      <div className="flex gap-2">
        <SubmitButton
          className="btn"
          formAction={preview}
          pending={previewing}
          pendingLabel="Planning…"
          disabled={creating}
        >
          Show plan
        </SubmitButton>
        <SubmitButton formAction={create} pending={creating} pendingLabel="Starting…" disabled={Boolean(state.jobId)}>
          Create bridge
        </SubmitButton>
      </div>
      {previewState.status === 'error' && <FormStatus state={previewState} />}
      {previewState.status === 'preview' && (
        <section className="space-y-2 text-sm" data-testid="bridge-plan">
          <PlanPreview state={previewState} />
          {manualConfig.length > 0 && (
            <>
              <p>
                This host runs neither ifupdown nor NetworkManager, so Virtnet does not persist the bridge. To keep it
                across reboots, install these files (systemd-networkd), or the ifupdown stanza:
              </p>
              {manualConfig.map((file) => (
                <div key={file.path}>
                  <p className="font-mono text-xs">{file.path}</p>
                  <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">
                    {file.content}
                  </pre>
                </div>
              ))}
            </>
          )}
        </section>
      )}
      {state.jobId ? (
        <>
          <FormStatus state={state} />
          <JobFollower jobId={state.jobId} />
        </>
      ) : (
        <FormStatus state={state} />
      )}
    </form>
  )
}

export function BridgeNetworkForm({ hostId, bridges }: { hostId: string; bridges: string[] }) {
  const [state, action, pending] = useActionState(createBridgeNetworkAction, initialFormState)
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div className="grid grid-cols-2 gap-3">
        <TextField state={state} name="name" label="Network name" placeholder="host-bridge" />
        {/* id apart from "bridge": the host-bridge form on the same page has a field of that name */}
        <SelectField state={state} name="bridge" id="bridgeName" label="Host bridge" options={bridges} />
      </div>
      <NetworkStartOptions state={state} />
      <PlanFormActions state={state} pending={pending} pendingLabel="Creating…" disabled={bridges.length === 0}>
        Create bridge network
      </PlanFormActions>
    </form>
  )
}

export function AttachGuestForm({
  hostId,
  guests,
  targets,
}: {
  hostId: string
  guests: string[]
  targets: Array<{ value: string; label: string }>
}) {
  const [state, action, pending] = useActionState(attachGuestAction, initialFormState)
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <SelectField state={state} name="guest" id="attachGuest" label="Guest" options={guests} />
      <SelectField state={state} name="target" id="attachTarget" label="Network or bridge" options={targets} />
      <SubmitButton className="btn" pending={pending} pendingLabel="Attaching…" disabled={targets.length === 0}>
        Attach guest
      </SubmitButton>
      <RowStatus state={state} />
    </form>
  )
}

export function BridgeSettingsForm({ hostId }: { hostId: string }) {
  const [state, action, pending] = useActionState(bridgeSettingsAction, initialFormState)
  return (
    <form action={action} className="space-y-2" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <Checkbox state={state} name="disableBridgeNetfilter">
        Do not pass bridged traffic through the host firewall (net.bridge.bridge-nf-call-*=0, persisted in
        /etc/sysctl.d/90-virtnet-bridge-nf.conf)
      </Checkbox>
      <FieldError state={state} name="disableBridgeNetfilter" />
      <Checkbox state={state} name="mssClamping">
        Clamp TCP MSS to the path MTU for forwarded traffic (an iptables mangle rule, or an nftables rule in table inet
        virtnet_bridge on a host without iptables)
      </Checkbox>
      <FieldError state={state} name="mssClamping" />
      <FormStatus state={state} />
      <SubmitButton className="btn" pending={pending} pendingLabel="Applying…">
        Apply host settings
      </SubmitButton>
    </form>
  )
}
