import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { executePlan } from '@/lib/plan/execute'
import type { PlanStep } from '@/lib/plan/plan'
import { virsh } from '@/lib/libvirt/virsh'
import { canonicalMac, unusedQemuMac } from '@/lib/addresses/mac-address'
import { macProblem } from '@/lib/addresses/value-rules'
import { renderElement } from '@/lib/xml/xml-render'
import { element } from '@/lib/xml/xml-tree'
import { listGuests, macOwners, readInterfaceSources, type GuestInterface, type GuestView } from '@/lib/guests/read'

// What changes a guest's interfaces; what the guests page reads is in read.ts.

/** --live for a running guest, --config for a defined one: changes take effect now and survive a restart. */
function scopeFlags(guest: GuestView): string[] {
  const running = guest.state === 'running' || guest.state === 'paused'
  return [...(running ? ['--live'] : []), ...(guest.persistent ? ['--config'] : [])]
}

async function requireGuest(host: HostTarget, name: string): Promise<{ guest: GuestView; guests: GuestView[] }> {
  const guests = await listGuests(host)
  const guest = guests.find((g) => g.name === name)
  if (!guest) throw new OperatorError(`There is no guest named ${name} on this host (it may have been removed).`)
  return { guest, guests }
}

export type AttachInput = { guest: string; type: 'network' | 'bridge'; source: string; model: string; mac?: string }

function attachCommand(
  guest: string,
  nic: { type: string; source: string; model: string; mac: string },
  flags: string[],
) {
  return virsh(
    'attach-interface',
    '--domain',
    guest,
    '--type',
    nic.type,
    '--source',
    nic.source,
    '--model',
    nic.model,
    '--mac',
    nic.mac,
    ...flags,
  )
}

function detachCommand(guest: string, nic: { type: string; mac: string }, flags: string[]) {
  return virsh('detach-interface', '--domain', guest, '--type', nic.type, '--mac', nic.mac, ...flags)
}

export async function attachInterface(host: HostTarget, input: AttachInput): Promise<string> {
  const [{ guest, guests }, sources] = await Promise.all([requireGuest(host, input.guest), readInterfaceSources(host)])
  const used = new Set(macOwners(guests).keys())
  const macProblemText = input.mac ? macProblem(input.mac) : null
  if (macProblemText) throw new FieldErrors({ mac: [macProblemText] })
  let mac = input.mac ? (canonicalMac(input.mac) as string) : unusedQemuMac(used)
  if (used.has(mac)) throw new FieldErrors({ mac: [`${mac} is already used by guest ${macOwners(guests).get(mac)}.`] })
  const flags = scopeFlags(guest)
  if (input.type === 'network') {
    const network = sources.networks.find((n) => n.name === input.source)
    if (!network) throw new FieldErrors({ source: [`There is no network named ${input.source}.`] })
    if (!network.active && flags.includes('--live'))
      throw new FieldErrors({
        source: [
          `Network ${input.source} is not running; start it first (a running guest can only join an active network).`,
        ],
      })
  } else if (!sources.bridges.includes(input.source)) {
    throw new FieldErrors({ source: [`There is no bridge named ${input.source} on this host.`] })
  }
  mac = mac as string
  const nic = { type: input.type, source: input.source, model: input.model, mac }
  const step: PlanStep = {
    label: `Attach ${input.model} interface ${mac} on ${input.type} ${input.source} to ${guest.name}`,
    command: attachCommand(guest.name, nic, flags),
    undo: { label: `Detach ${mac} again`, command: detachCommand(guest.name, nic, flags) },
  }
  await executePlan(host, { title: step.label, steps: [step], ...(input.mac ? {} : { chosen: { mac } }) })
  return mac
}

function requireNic(guest: GuestView, mac: string): GuestInterface {
  const nic = guest.interfaces.find((n) => n.mac === canonicalMac(mac))
  if (!nic) throw new OperatorError(`${guest.name} has no interface with MAC ${mac} (it may have been removed).`)
  return nic
}

export async function detachInterface(host: HostTarget, input: { guest: string; mac: string }) {
  const { guest } = await requireGuest(host, input.guest)
  const nic = requireNic(guest, input.mac)
  const flags = scopeFlags(guest)
  const step: PlanStep = {
    label: `Detach interface ${nic.mac} (${nic.type} ${nic.source ?? ''}) from ${guest.name}`,
    command: detachCommand(guest.name, { type: nic.type, mac: nic.mac! }, flags),
    ...(nic.source && (nic.type === 'network' || nic.type === 'bridge')
      ? {
          undo: {
            label: `Attach ${nic.mac} again`,
            command: attachCommand(
              guest.name,
              { type: nic.type, source: nic.source, model: nic.model ?? 'virtio', mac: nic.mac! },
              flags,
            ),
          },
        }
      : {}),
  }
  await executePlan(host, { title: step.label, steps: [step] })
  // A live unplug completes only when the guest OS acknowledges it (ACPI); libvirt reports success once it asked.
  const after = (await listGuests(host)).find((g) => g.name === guest.name)
  const pendingLive = flags.includes('--live') && Boolean(after?.interfaces.some((n) => n.mac === nic.mac))
  return { nic, pendingLive }
}

function networkInterfaceXml(nic: GuestInterface, network: string): string {
  return renderElement(
    element('interface', { type: 'network' }, [
      element('mac', { address: nic.mac ?? undefined }),
      element('source', { network }),
      ...(nic.model ? [element('model', { type: nic.model })] : []),
    ]),
  )
}

/** Moves a network interface to another libvirt network; libvirt re-plugs the tap live (no detach/attach in the guest). */
export async function changeInterfaceNetwork(host: HostTarget, input: { guest: string; mac: string; network: string }) {
  const [{ guest }, sources] = await Promise.all([requireGuest(host, input.guest), readInterfaceSources(host)])
  const nic = requireNic(guest, input.mac)
  if (nic.type !== 'network' || !nic.source)
    throw new OperatorError(
      `Interface ${nic.mac} is of type ${nic.type}; only network interfaces can change their network here.`,
    )
  if (nic.source === input.network) throw new FieldErrors({ network: [`${nic.mac} is already on ${input.network}.`] })
  const target = sources.networks.find((n) => n.name === input.network)
  const flags = scopeFlags(guest)
  if (!target) throw new FieldErrors({ network: [`There is no network named ${input.network}.`] })
  if (!target.active && flags.includes('--live'))
    throw new FieldErrors({ network: [`Network ${input.network} is not running; start it first.`] })
  const step: PlanStep = {
    label: `Move ${nic.mac} of ${guest.name} from network ${nic.source} to ${input.network}`,
    command: virsh('update-device', '--domain', guest.name, '--file', '/dev/stdin', ...flags),
    stdin: networkInterfaceXml(nic, input.network),
    undo: {
      label: `Move ${nic.mac} back to ${nic.source}`,
      command: virsh('update-device', '--domain', guest.name, '--file', '/dev/stdin', ...flags),
      stdin: networkInterfaceXml(nic, nic.source),
    },
  }
  await executePlan(host, { title: step.label, steps: [step] })
  return nic
}
