import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { executePlan } from '@/lib/plan/execute'
import type { PlanStep } from '@/lib/plan/plan'
import { canonicalMac, unusedQemuMac } from '@/lib/addresses/mac-address'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'
import {
  detachAddsOsBoot,
  interfaceByMac,
  interfaceDestination,
  movedInterfaceXml,
  type InterfaceDestination,
} from '@/lib/libvirt-xml/domain-interface'
import { interfaceSettingsPlan, type InterfaceEdit } from '@/lib/guests/plans'
import { detachInterfacePlan, moveInterfacePlan, type InterfaceOnSide, type InterfaceScope } from '@/lib/guests/plans'
import {
  interfaceWithSettings,
  readInterfaceSettings,
  type InterfaceSettings,
} from '@/lib/libvirt-xml/interface-settings'
import { macProblem } from '@/lib/addresses/value-rules'
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

/**
 * The interface with this MAC as each side of the guest holds it, read from that side's own XML: the persistent
 * definition (`dumpxml --inactive`) of a persistent guest, the live XML of a running one. A side without it is left out.
 */
async function interfaceOnEachSide(
  host: HostTarget,
  guest: GuestView,
  mac: string,
): Promise<Array<InterfaceOnSide & { domainXml: string }>> {
  const running = guest.state === 'running' || guest.state === 'paused'
  const scopes: InterfaceScope[] = [
    ...(guest.persistent ? (['config'] as const) : []),
    ...(running ? (['live'] as const) : []),
  ]
  const outputs = await virshBatch(
    host,
    scopes.map((scope) => ['dumpxml', '--domain', guest.name, ...(scope === 'config' ? ['--inactive'] : [])]),
  )
  return scopes.flatMap((scope, i) => {
    const domainXml = outputs[i]?.trim()
    if (!domainXml)
      throw new OperatorError(
        `Could not read the ${scope === 'config' ? 'persistent definition' : 'live XML'} of ${guest.name} (it may have been removed or stopped).`,
      )
    const nic = interfaceByMac(domainXml, mac)
    return nic ? [{ scope, type: nic.type, xml: nic.xml, domainXml }] : []
  })
}

export async function detachInterface(host: HostTarget, input: { guest: string; mac: string }) {
  const { guest } = await requireGuest(host, input.guest)
  const nic = requireNic(guest, input.mac)
  const sides = await interfaceOnEachSide(host, guest, nic.mac!)
  const config = sides.find((side) => side.scope === 'config')
  if (config && detachAddsOsBoot(config.domainXml, nic.mac!)) {
    // With secrets (graphics passwords), or the restored definition would lose them.
    const [definition] = await virshBatch(host, [['dumpxml', '--domain', guest.name, '--inactive', '--security-info']])
    if (!definition?.trim()) throw new OperatorError(`Could not read the persistent definition of ${guest.name}.`)
    config.definition = definition
  }
  if (sides.length === 0)
    throw new OperatorError(`${guest.name} has no interface with MAC ${nic.mac} (it may have been removed).`)
  await executePlan(host, detachInterfacePlan(guest.name, nic.mac!, `${nic.type} ${nic.source ?? ''}`.trim(), sides))
  // A live unplug completes only when the guest OS acknowledges it (ACPI); libvirt reports success once it asked.
  const after = (await listGuests(host)).find((g) => g.name === guest.name)
  const pendingLive =
    sides.some((side) => side.scope === 'live') && Boolean(after?.interfaces.some((n) => n.mac === nic.mac))
  return { nic, pendingLive }
}

const inWords = (place: InterfaceDestination | undefined) =>
  !place ? 'its source' : place.type === 'network' ? `network ${place.network}` : `bridge ${place.bridge}`

/**
 * Moves a network interface to another libvirt network; libvirt re-plugs the tap live (no detach/attach in the guest).
 * Each side is moved from its own XML, changing only the network its source names (lib/libvirt-xml/domain-interface).
 */
export async function changeInterfaceNetwork(host: HostTarget, input: { guest: string; mac: string; network: string }) {
  const [{ guest }, sources] = await Promise.all([requireGuest(host, input.guest), readInterfaceSources(host)])
  const nic = requireNic(guest, input.mac)
  if (nic.type !== 'network' || !nic.source)
    throw new OperatorError(
      `Interface ${nic.mac} is of type ${nic.type}; only network interfaces can change their network here.`,
    )
  const target = sources.networks.find((n) => n.name === input.network)
  const running = guest.state === 'running' || guest.state === 'paused'
  if (!target) throw new FieldErrors({ network: [`There is no network named ${input.network}.`] })
  if (!target.active && running)
    throw new FieldErrors({ network: [`Network ${input.network} is not running; start it first.`] })
  const to: InterfaceDestination = { type: 'network', network: input.network }
  const moves = (await interfaceOnEachSide(host, guest, nic.mac!)).flatMap((side) => {
    const from = interfaceDestination(side.xml)
    // A side already there (a pending change in the definition) stays as it is.
    if (from?.type === 'network' && from.network === input.network) return []
    return [{ side, from: inWords(from), movedXml: movedInterfaceXml(side.xml, to) }]
  })
  if (moves.length === 0) throw new FieldErrors({ network: [`${nic.mac} is already on ${input.network}.`] })
  await executePlan(host, moveInterfacePlan(guest.name, nic.mac!, inWords(to), moves))
  return nic
}

const settingWords: Record<keyof InterfaceSettings, string> = {
  link: 'link state',
  model: 'model',
  portgroup: 'portgroup',
  filter: 'network filter',
  inbound: 'inbound bandwidth',
  outbound: 'outbound bandwidth',
}

/**
 * Sets an interface's link state, bandwidth, network filter, portgroup and model, each side from its own XML with
 * only what differs rewritten. A running guest keeps its model until it next boots (libvirt cannot change a model
 * live), so the model changes in the persistent definition only. Whatever libvirt or the kernel refuses (a missing
 * qdisc for bandwidth, an unknown filter) fails the step, the executor puts back what ran, and the refusal is shown.
 */
export async function changeInterfaceSettings(
  host: HostTarget,
  input: { guest: string; mac: string; settings: InterfaceSettings },
): Promise<{ nic: GuestInterface; changed: string[]; modelAtNextBoot: boolean }> {
  const { guest } = await requireGuest(host, input.guest)
  const nic = requireNic(guest, input.mac)
  const sides = await interfaceOnEachSide(host, guest, nic.mac!)
  if (sides.length === 0)
    throw new OperatorError(`${guest.name} has no interface with MAC ${nic.mac} (it may have been removed).`)
  const wanted = input.settings
  if (!guest.persistent && sides.every((side) => readInterfaceSettings(side.xml).model !== wanted.model))
    throw new FieldErrors({
      model: [
        `${guest.name} is transient: its model cannot change while it runs, and it has no definition to keep it.`,
      ],
    })
  const changed = new Set<string>()
  let modelAtNextBoot = false
  const edits: InterfaceEdit[] = sides.flatMap((side) => {
    const current = readInterfaceSettings(side.xml)
    const keepModel = side.scope === 'live'
    const differ = (Object.keys(settingWords) as Array<keyof InterfaceSettings>).filter(
      (key) => JSON.stringify(current[key]) !== JSON.stringify(wanted[key]) && !(key === 'model' && keepModel),
    )
    if (keepModel && current.model !== wanted.model) modelAtNextBoot = true
    if (differ.length === 0) return []
    for (const key of differ) changed.add(settingWords[key])
    return [
      {
        side,
        editedXml: interfaceWithSettings(side.xml, wanted, keepModel),
        what: differ.map((key) => settingWords[key]).join(', '),
      },
    ]
  })
  if (edits.length === 0) throw new OperatorError(`${nic.mac} already has these settings; nothing to change.`)
  await executePlan(host, interfaceSettingsPlan(guest.name, nic.mac!, edits))
  return { nic, changed: [...changed], modelAtNextBoot }
}
