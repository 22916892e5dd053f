'use client'

import { useActionState } from 'react'
import { initialFormState } from '@/lib/actions/form-state'
import { FieldError, FormStatus, fieldProps } from '@/app/ui/form-status'
import { TextField } from '@/app/ui/text-field'
import { JobFollower } from '@/app/ui/job-follower'
import { attachGuestAction, bridgeSettingsAction, createBridgeNetworkAction, createHostBridgeAction, previewHostBridgeAction, type BridgePreviewState } from './actions'

const initialPreview: BridgePreviewState = { status: 'idle', message: null, errors: {} }

export function CreateHostBridgeForm({ hostId, nics }: { hostId: string; nics: string[] }) {
  const [previewState, preview, previewing] = useActionState(previewHostBridgeAction, initialPreview)
  const [state, create, creating] = useActionState(createHostBridgeAction, initialFormState)
  const merged = { ...initialFormState, errors: { ...previewState.errors, ...state.errors }, values: state.values }
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
        <TextField state={merged} name="confirmSeconds" label="Revert unless confirmed within (s)" type="number" defaultValue="60" min={15} max={600} />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="moveAddresses" defaultChecked /> Move the NIC&apos;s addresses and gateway routes to the bridge (untick for a guest-only uplink: the host
        loses those addresses)
      </label>
      <div className="flex gap-2">
        <button className="btn" formAction={preview} disabled={previewing || creating}>
          {previewing ? 'Planning…' : 'Show plan'}
        </button>
        <button className="btn btn-primary" formAction={create} disabled={creating || Boolean(state.jobId)}>
          {creating ? 'Starting…' : 'Create bridge'}
        </button>
      </div>
      {previewState.status === 'error' && <FormStatus state={{ ...initialFormState, ...previewState }} />}
      {previewState.preview && (
        <section className="space-y-2 text-sm" data-testid="bridge-plan">
          <ol className="list-decimal space-y-1 pl-6">
            {previewState.preview.steps.map((step, index) => (
              <li key={index}>
                {step.label} <code className="code break-all">{step.command}</code>
              </li>
            ))}
          </ol>
          {previewState.preview.manualConfig.length > 0 && (
            <>
              <p>
                This host runs neither ifupdown nor NetworkManager, so Virtnet does not persist the bridge. To keep it across reboots, install these files
                (systemd-networkd), or the ifupdown stanza:
              </p>
              {previewState.preview.manualConfig.map((file) => (
                <div key={file.path}>
                  <p className="font-mono text-xs">{file.path}</p>
                  <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">{file.content}</pre>
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
        <div>
          <label className="label" htmlFor="bridgeName">
            Host bridge
          </label>
          <select className="input" {...fieldProps(state, 'bridge')} id="bridgeName">
            {bridges.map((bridge) => (
              <option key={bridge}>{bridge}</option>
            ))}
          </select>
          <FieldError state={state} name="bridge" />
        </div>
      </div>
      <div className="flex gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input type="checkbox" name="autostart" /> Start with libvirtd
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="start" /> Start now
        </label>
      </div>
      <FormStatus state={state} />
      <button className="btn btn-primary" disabled={pending || bridges.length === 0}>
        {pending ? 'Creating…' : 'Create bridge network'}
      </button>
    </form>
  )
}

export function AttachGuestForm({ hostId, guests, targets }: { hostId: string; guests: string[]; targets: Array<{ value: string; label: string }> }) {
  const [state, action, pending] = useActionState(attachGuestAction, initialFormState)
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <div>
        <label className="label" htmlFor="attachGuest">
          Guest
        </label>
        <select className="input" {...fieldProps(state, 'guest')} id="attachGuest">
          {guests.map((guest) => (
            <option key={guest}>{guest}</option>
          ))}
        </select>
        <FieldError state={state} name="guest" />
      </div>
      <div>
        <label className="label" htmlFor="attachTarget">
          Network or bridge
        </label>
        <select className="input" {...fieldProps(state, 'target')} id="attachTarget">
          {targets.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        <FieldError state={state} name="target" />
      </div>
      <button className="btn" disabled={pending || targets.length === 0}>
        {pending ? 'Attaching…' : 'Attach guest'}
      </button>
      <div className="w-full">
        <FormStatus state={state} />
      </div>
    </form>
  )
}

export function BridgeSettingsForm({ hostId }: { hostId: string }) {
  const [state, action, pending] = useActionState(bridgeSettingsAction, initialFormState)
  return (
    <form action={action} className="space-y-2" noValidate>
      <input type="hidden" name="hostId" value={hostId} />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="disableBridgeNetfilter" /> Do not pass bridged traffic through the host firewall (net.bridge.bridge-nf-call-*=0, persisted in
        /etc/sysctl.d/90-virtnet-bridge-nf.conf)
      </label>
      <FieldError state={state} name="disableBridgeNetfilter" />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="mssClamping" /> Clamp TCP MSS to the path MTU for forwarded traffic (iptables mangle rule)
      </label>
      <FormStatus state={state} />
      <button className="btn" disabled={pending}>
        {pending ? 'Applying…' : 'Apply host settings'}
      </button>
    </form>
  )
}
