import 'server-only'
import { oneAtATimeAcrossReplicas } from '@/lib/jobs/lease'
import type { Actor } from '@/lib/core/types'
import { randomUUID } from 'node:crypto'
import { sh, type HostTarget } from '@/lib/ssh'
import { db } from '@/lib/db/client'
import type { PortForward } from '@/lib/db/generated/client'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { executePlan } from '@/lib/plan/execute'
import type { Plan, PlanStep, PreviewDetail } from '@/lib/plan/plan'
import { stopIfPreviewing } from '@/lib/plan/dry-run'
import type { SocketListener } from '@/lib/host-output/ss-listeners'
import { mappingSteps } from '@/lib/dhcp/changes'
import { storeDesired } from '@/lib/dhcp/store'
import type { DhcpEntry } from '@/lib/dhcp/entries'
import type { HostRow } from '@/lib/hosts/store'
import { renderStateTable, toRuleInput, type FirewallBackend } from '@/lib/forwards/rules'
import { hookPaths, hookScript, statePath } from '@/lib/forwards/hook-script'
import {
  type ForwardableNic,
  type HostAddressOption,
  firewallBackend,
  readForwardableNics,
  readHostAddresses,
  readListeners,
  readStateFile,
  runningGuestUuids,
} from '@/lib/forwards/read'
import {
  conflictingForward,
  conflictingListener,
  formatRange,
  guestRangeProblem,
  selfServiceProblem,
  type SelfServiceLimits,
} from '@/lib/forwards/validate'
import type { AddForwardInput } from '@/lib/forwards/schemas'
import { canonicalIp, type IpFamily } from '@/lib/addresses/ip-address'

/** A new forward as addForward takes it: the family may be left out (IPv4), as by callers that predate IPv6. */
type NewForward = Omit<AddForwardInput, 'hostId' | 'family'> & { family?: IpFamily }

// What changes a host's forward table (and its hook). Every change writes the whole table; what the forwards page
// reads is in read.ts, what self-service users read and change is in selfservice.ts.

/** The form of the host's rules: libvirt's backend, probed once per host (its health); iptables when unknown. */
async function backendOf(row: HostRow, target: HostTarget): Promise<FirewallBackend> {
  return (await firewallBackend(row, target)) === 'nftables' ? 'nftables' : 'iptables'
}

/**
 * The steps that make the host's table exactly `rows`: write the state file the hook re-applies from, then apply
 * it in ONE iptables-restore batch (all or nothing). The batch is the hook script itself, sent on stdin, so the
 * dashboard and the hook can never disagree on what a table means. If applying fails, the old file goes back.
 */
export function tableSteps(
  rows: PortForward[],
  running: string[],
  previousState: string | null,
  backend: FirewallBackend = 'iptables',
): PlanStep[] {
  const write = (content: string) => ({
    command: sh`mkdir -p ${dirOf(statePath)} && cat > ${statePath}.tmp && mv -f ${statePath}.tmp ${statePath}`,
    stdin: content,
  })
  const { content, owners } = renderStateTable(rows.map(toRuleInput), backend)
  return [
    {
      label: `Write the forward table (${rows.length} forward${rows.length === 1 ? '' : 's'}) to ${statePath}`,
      ...write(content),
      phase: 'forwards_write',
      // The table holds every user's forwards: a self-service user is shown only their own rules.
      owners: { stdinLines: owners, lineName: { one: 'rule', many: 'rules' } },
      undo:
        previousState === null
          ? { label: 'Remove the forward table', command: sh`rm -f ${statePath}` }
          : { label: 'Put the previous forward table back', ...write(previousState) },
    },
    {
      label: `Apply the table in one ${backend === 'nftables' ? 'nft -f transaction' : 'iptables-restore batch'}`,
      phase: 'forwards_apply',
      command: sh`sh -s -- apply ${running}`,
      stdin: hookScript(undefined, backend),
      // The running guests are every user's; the script on stdin is the same for everyone.
      owners: { sharedCommand: `${String(sh`sh -s -- apply`)} <the UUIDs of the host's running guests>` },
    },
  ]
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'))

/** `read`: the running guests and the table file when the caller read them already (under the one-at-a-time lock). */
async function applyTable(
  row: HostRow,
  target: HostTarget,
  title: string,
  rows: PortForward[],
  before: PlanStep[] = [],
  read?: { running: string[]; previous: string | null },
  detail?: PreviewDetail,
) {
  const [[running, previous], backend] = await Promise.all([
    read ? ([read.running, read.previous] as const) : Promise.all([runningGuestUuids(target), readStateFile(target)]),
    backendOf(row, target),
  ])
  const plan: Plan = {
    title,
    steps: [...before, ...tableSteps(rows, running, previous, backend)],
    ...(detail && { detail }),
  }
  await executePlan(target, plan)
}

type AddOptions = { selfService?: { limits: SelfServiceLimits | null } }

/*
 * One table change per host at a time (across every dashboard replica sharing the database): each change reads the table, validates against
 * it and writes the whole table, so two at once could each miss the other's forward.
 */
const oneAtATime = oneAtATimeAcrossReplicas('forward-table')

/** Validates a new forward against the host and the table, then applies the new table; returns the stored row. */
export function addForward(
  row: HostRow,
  target: HostTarget,
  input: NewForward,
  actor: Actor,
  options: AddOptions = {},
): Promise<PortForward> {
  return oneAtATime(row.id, () => addForwardNow(row, target, input, actor, options))
}

/** What the checks of a new forward read from the host, once per change. */
type HostReads = {
  nics: ForwardableNic[]
  listeners: SocketListener[]
  hostAddresses: HostAddressOption[]
}

type Pin = { network: string; entry: DhcpEntry; steps: PlanStep[] }

/**
 * The one check of a new forward (the add form's, the API's, a whole guest list's): the guest NIC, the host address,
 * overlaps with `existing` forwards and the host's listeners, the guest range, a self-service user's limits (`owned`:
 * how many forwards they will have besides this one), the fixed guest address (pinned from the lease when asked).
 * Problems go to `report` per field; the forward and the DHCP pin it needs come back when there were none.
 * `pinned`: NICs an earlier forward of the same change pins already (their address, so it is not pinned twice).
 */
async function vetForward(
  row: HostRow,
  target: HostTarget,
  reads: HostReads,
  input: NewForward,
  existing: PortForward[],
  actor: Actor,
  options: AddOptions & { owned: number },
  report: (field: string, message: string) => void,
  pinned: Map<string, string> = new Map(),
): Promise<{ forward: PortForward; pin: Pin | null } | null> {
  const { nics, listeners, hostAddresses } = reads
  const family = input.family ?? 'ipv4'
  const ipv6 = family === 'ipv6'
  let problems = 0
  const add = (field: string, message: string) => {
    problems++
    report(field, message)
  }
  const [uuid, network] = input.guest.split('/') as [string, string]
  const found = nics.find((n) => n.guestUuid === uuid && n.network === network)
  // IPv4 forwards lead into NAT networks only (as always); IPv6 ones into NAT or routed networks with IPv6.
  const nic = found && (ipv6 || (found.forwardMode === 'nat' && found.subnet)) ? found : undefined
  if (!nic) add('guest', `That guest has no interface on a running NAT network of ${row.name}.`)
  else if (ipv6 && !nic.ipv6)
    add(
      'family',
      `Network ${nic.network} has no IPv6 address, so ${nic.guestName} has none there to forward to: forward over IPv4, or give the network an IPv6 address (and DHCPv6) first.`,
    )
  // A forward bound to an address the host does not have (its network's broadcast, a gateway, another subnet's
  // address) would never match any packet.
  const ownAddresses = hostAddresses.filter((a) => a.family === family)
  const familyName = ipv6 ? 'IPv6' : 'IPv4'
  if (input.hostAddress && !ownAddresses.some((a) => canonicalIp(a.address) === input.hostAddress))
    add(
      'hostAddress',
      `${input.hostAddress} is not an address of ${row.name}; ${ownAddresses.length ? `its ${ipv6 ? 'IPv6 ' : ''}addresses are ${ownAddresses.map((a) => `${a.address} (${a.interface})`).join(', ')}` : `it has no ${familyName} address but ${ipv6 ? 'loopback and link-local ones' : 'loopback'}`}.`,
    )

  // An IPv4 and an IPv6 forward of the same port are two different doors: only one family's forwards can overlap.
  const taken = conflictingForward(
    existing.filter((f) => (f.family === 'ipv6' ? 'ipv6' : 'ipv4') === family),
    input.protocol,
    input.hostPort,
    input.hostAddress,
  )
  if (taken)
    add(
      'hostPort',
      // A self-service user learns that the port is taken, not whose guest another user's forward goes to.
      options.selfService && taken.ownerId !== actor.id
        ? `Host port ${formatRange(input.hostPort)}/${input.protocol} is taken by another user's forward.`
        : `Host port ${formatRange(input.hostPort)}/${input.protocol} overlaps the forward ${formatRange({ start: taken.hostPortStart, end: taken.hostPortEnd })} to ${taken.guestName}.`,
    )
  const listener = conflictingListener(listeners, input.protocol, input.hostPort, input.hostAddress)
  if (listener) {
    const processNames = listener.processes.map((p) => p.name).join(', ')
    add(
      'hostPort',
      `A service on ${row.name} already listens on ${listener.local.address}:${listener.local.port}/${input.protocol}${processNames ? ` (${processNames})` : ''}.`,
    )
  }
  const rangeProblem = guestRangeProblem(input.hostPort, input.guestPort)
  if (rangeProblem) add('guestPort', rangeProblem)
  if (options.selfService) {
    const problem = selfServiceProblem(options.selfService.limits, input.hostPort, options.owned)
    if (problem) add(problem.field, problem.message)
  }

  // Set by pinLease(), a closure: declared by a cast so the compiler does not take it for null for good.
  let pin = null as Pin | null
  const nicKey = nic && `${nic.guestUuid}/${nic.network}/${family}`
  let guestIp: string | null = (nicKey ? pinned.get(nicKey) : undefined) ?? null
  if (nic && ipv6 && nic.ipv6) {
    // libvirt keys DHCPv6 mappings by DUID or name, not MAC: the guest's address is its mapping (a DUID carrying
    // the NIC's MAC, or its name), else its lease pinned under the lease's DUID.
    guestIp ??= nic.ipv6.staticIp
    const lease = nic.ipv6.leaseIp
    if (!guestIp) {
      if (options.selfService)
        add(
          'guest',
          `${nic.guestName} has no fixed IPv6 address on ${nic.network}; ask an administrator to give it a DHCPv6 mapping.`,
        )
      else if (!input.createMapping)
        add(
          'guest',
          `${nic.guestName} has no DHCPv6 mapping on ${nic.network}, so its IPv6 address may change. Tick "Create a static DHCP mapping" to pin ${lease ?? 'its current address'}, or add a mapping on the DHCP page.`,
        )
      else if (!lease || !nic.ipv6.leaseDuid)
        add(
          'guest',
          `${nic.guestName} has no DHCPv6 lease on ${nic.network} to pin; start it and try again, or add a mapping on the DHCP page.`,
        )
      else guestIp = await pinLease({ id: nic.ipv6.leaseDuid, ip: lease })
    }
  } else if (nic && !ipv6) {
    guestIp ??= nic.staticIp
    if (!guestIp) {
      if (options.selfService)
        add(
          'guest',
          `${nic.guestName} has no fixed address on ${nic.network}; ask an administrator to give it a static DHCP mapping.`,
        )
      else if (!input.createMapping)
        add(
          'guest',
          `${nic.guestName} has no static DHCP mapping on ${nic.network}, so its address may change. Tick "Create a static DHCP mapping" to pin ${nic.leaseIp ?? 'its current address'}.`,
        )
      else if (!nic.leaseIp)
        add(
          'guest',
          `${nic.guestName} has no DHCP lease on ${nic.network} to pin; start it and try again, or add a mapping on the DHCP page.`,
        )
      else guestIp = await pinLease({ mac: nic.mac, ip: nic.leaseIp })
    }
  }

  /** Pins the lease through the DHCP table (the DHCP page manages that mapping afterwards); null when refused. */
  async function pinLease(entry: { mac: string; ip: string } | { id: string; ip: string }): Promise<string | null> {
    try {
      pin = { network: nic!.network, ...(await mappingSteps(row.id, target, nic!.network, entry)) }
      pinned.set(nicKey!, entry.ip)
      return entry.ip
    } catch (error) {
      if (!(error instanceof FieldErrors)) throw error
      add('guest', `Cannot pin ${entry.ip} to ${nic!.guestName}: ${Object.values(error.errors).flat().join(' ')}`)
      return null
    }
  }
  if (problems || !nic || !guestIp) return null
  const forward: PortForward = {
    id: randomUUID(),
    hostId: row.id,
    guestName: nic.guestName,
    guestUuid: nic.guestUuid,
    family,
    network: nic.network,
    bridge: nic.bridge,
    subnet: ipv6 ? nic.ipv6!.subnet : nic.subnet,
    guestMac: nic.mac,
    // As ip6tables prints it (the DHCPv6 table may spell it longer), so drift compares the rules as text.
    guestIp: canonicalIp(guestIp) ?? guestIp,
    protocol: input.protocol,
    hostPortStart: input.hostPort.start,
    hostPortEnd: input.hostPort.end,
    guestPortStart: input.guestPort.start,
    guestPortEnd: input.guestPort.end,
    hostAddress: input.hostAddress,
    sourceCidrs: input.sourceCidrs.join(','),
    description: input.description,
    ownerId: actor.id,
    ownerName: actor.username,
    createdAt: new Date(),
  }
  return { forward, pin }
}

async function addForwardNow(
  row: HostRow,
  target: HostTarget,
  input: NewForward,
  actor: Actor,
  options: AddOptions,
): Promise<PortForward> {
  // Everything the check and the plan need, read at once: the guests (with the running ones), the listeners, the
  // table file the undo puts back.
  const [{ nics, running }, listeners, existing, hostAddresses, previous, owned] = await Promise.all([
    readForwardableNics(target),
    readListeners(target),
    db.portForward.findMany({ where: { hostId: row.id } }),
    input.hostAddress ? readHostAddresses(target) : [],
    readStateFile(target),
    options.selfService ? db.portForward.count({ where: { ownerId: actor.id } }) : 0,
  ])
  const errors: Record<string, string[]> = {}
  const vetted = await vetForward(
    row,
    target,
    { nics, listeners, hostAddresses },
    input,
    existing,
    actor,
    { ...options, owned },
    (field, message) => (errors[field] ??= []).push(message),
  )
  // The message names every reason, so the audit record of the refusal says why, not just that.
  if (!vetted) throw new FieldErrors(errors, Object.values(errors).flat().join(' '))
  const { forward, pin } = vetted
  await applyTable(
    row,
    target,
    `Forward ${row.name}:${formatRange(input.hostPort)}/${input.protocol}${forward.family === 'ipv6' ? ' (IPv6)' : ''} to ${forward.guestName}`,
    [...existing, forward],
    pin?.steps ?? [],
    { running, previous },
  )
  if (pin) await storeDesired(row.id, pin.network, [pin.entry])
  return db.portForward.create({ data: forward })
}

/** One forward of a guest's whole list (a declarative PUT): the add form's fields, its NIC named by its network. */
export type GuestForwardItem = Omit<AddForwardInput, 'hostId' | 'guest'> & { network?: string }

/** What setting a guest's forward list did (or, in a preview, would do). */
export type GuestForwardsReport = {
  added: ForwardSummary[]
  removed: ForwardSummary[]
  unchanged: ForwardSummary[]
}
type ForwardSummary = Pick<
  PortForward,
  | 'id'
  | 'network'
  | 'protocol'
  | 'hostPortStart'
  | 'hostPortEnd'
  | 'guestPortStart'
  | 'guestPortEnd'
  | 'hostAddress'
  | 'sourceCidrs'
  | 'description'
>

declare module '@/lib/plan/plan' {
  interface PreviewDetailKinds {
    'guest-forwards': GuestForwardsReport
  }
}

const summaryOf = (f: PortForward): ForwardSummary => ({
  id: f.id,
  network: f.network,
  protocol: f.protocol,
  hostPortStart: f.hostPortStart,
  hostPortEnd: f.hostPortEnd,
  guestPortStart: f.guestPortStart,
  guestPortEnd: f.guestPortEnd,
  hostAddress: f.hostAddress,
  sourceCidrs: f.sourceCidrs,
  description: f.description,
})

/** Two forwards are the same when everything a user sets is the same (a changed one is removed and added). */
const sameForward = (a: ForwardSummary, b: ForwardSummary) =>
  a.network === b.network &&
  a.protocol === b.protocol &&
  a.hostPortStart === b.hostPortStart &&
  a.hostPortEnd === b.hostPortEnd &&
  a.guestPortStart === b.guestPortStart &&
  a.guestPortEnd === b.guestPortEnd &&
  a.hostAddress === b.hostAddress &&
  a.sourceCidrs === b.sourceCidrs &&
  a.description === b.description

/**
 * Makes a guest's forwards exactly `items` (a declarative PUT): what the list has and the table does not is added
 * (each vetted as the add form vets one, against the forwards that stay and the earlier items), what the table has
 * and the list does not is removed, the rest is left alone; ONE new table for the host, as every change. A
 * self-service user's list covers their own forwards of the guest only, and their limits hold for the result.
 * Problems are reported per item ("forwards.2.hostPort"). Nothing to change: no plan runs (a preview shows none).
 */
export function setGuestForwards(
  row: HostRow,
  target: HostTarget,
  guestUuid: string,
  items: GuestForwardItem[],
  actor: Actor,
  options: AddOptions = {},
): Promise<GuestForwardsReport> {
  return oneAtATime(row.id, () => setGuestForwardsNow(row, target, guestUuid, items, actor, options))
}

async function setGuestForwardsNow(
  row: HostRow,
  target: HostTarget,
  guestUuid: string,
  items: GuestForwardItem[],
  actor: Actor,
  options: AddOptions,
): Promise<GuestForwardsReport> {
  const [{ nics, running }, listeners, existing, hostAddresses, previous, ownedTotal] = await Promise.all([
    readForwardableNics(target),
    readListeners(target),
    db.portForward.findMany({ where: { hostId: row.id } }),
    items.some((item) => item.hostAddress) ? readHostAddresses(target) : [],
    readStateFile(target),
    options.selfService ? db.portForward.count({ where: { ownerId: actor.id } }) : 0,
  ])
  const errors: Record<string, string[]> = {}
  const reportAt = (index: number) => (field: string, message: string) =>
    (errors[`forwards.${index}.${field}`] ??= []).push(`Forward ${index + 1}: ${message}`)
  const guestNics = nics.filter((n) => n.guestUuid === guestUuid)
  const guestName = guestNics[0]?.guestName ?? existing.find((f) => f.guestUuid === guestUuid)?.guestName ?? guestUuid
  const inScope = (f: PortForward) => f.guestUuid === guestUuid && (!options.selfService || f.ownerId === actor.id)
  const current = existing.filter(inScope)
  const others = existing.filter((f) => !inScope(f))

  const wanted: Array<{ index: number; item: GuestForwardItem; network: string }> = []
  items.forEach((item, index) => {
    const network = item.network ?? (guestNics.length === 1 ? guestNics[0]!.network : undefined)
    if (network) return wanted.push({ index, item, network })
    reportAt(index)(
      'network',
      guestNics.length
        ? `${guestName} has interfaces on several NAT networks (${guestNics.map((n) => n.network).join(', ')}): name one.`
        : `${guestName} has no interface on a running NAT network of ${row.name}.`,
    )
  })
  const asSummary = ({ item, network }: (typeof wanted)[number]): ForwardSummary => ({
    id: '',
    network,
    protocol: item.protocol,
    hostPortStart: item.hostPort.start,
    hostPortEnd: item.hostPort.end,
    guestPortStart: item.guestPort.start,
    guestPortEnd: item.guestPort.end,
    hostAddress: item.hostAddress,
    sourceCidrs: item.sourceCidrs.join(','),
    description: item.description,
  })
  const unchanged: PortForward[] = []
  const toAdd: typeof wanted = []
  for (const entry of wanted) {
    const summary = asSummary(entry)
    const match = current.find((f) => !unchanged.includes(f) && sameForward(summaryOf(f), summary))
    if (match) unchanged.push(match)
    else toAdd.push(entry)
  }
  const removed = current.filter((f) => !unchanged.includes(f))

  const added: PortForward[] = []
  const pins: Pin[] = []
  const pinned = new Map<string, string>()
  for (const [position, { index, item, network }] of toAdd.entries()) {
    const vetted = await vetForward(
      row,
      target,
      { nics, listeners, hostAddresses },
      { ...item, guest: `${guestUuid}/${network}` },
      [...others, ...unchanged, ...added],
      actor,
      { ...options, owned: ownedTotal - removed.length + position },
      reportAt(index),
      pinned,
    )
    if (!vetted) continue
    added.push(vetted.forward)
    if (vetted.pin) pins.push(vetted.pin)
  }
  if (Object.keys(errors).length) throw new FieldErrors(errors, Object.values(errors).flat().join(' '))

  const report: GuestForwardsReport = {
    added: added.map(summaryOf),
    removed: removed.map(summaryOf),
    unchanged: unchanged.map(summaryOf),
  }
  const title = `Set the forwards of ${guestName} on ${row.name} (+${added.length} -${removed.length}, ${unchanged.length} unchanged)`
  if (!added.length && !removed.length) {
    stopIfPreviewing({ title, steps: [], detail: { kind: 'guest-forwards', ...report } })
    return report
  }
  await applyTable(
    row,
    target,
    title,
    [...others, ...unchanged, ...added],
    pins.flatMap((pin) => pin.steps),
    { running, previous },
    { kind: 'guest-forwards', ...report },
  )
  for (const pin of pins) await storeDesired(row.id, pin.network, [pin.entry])
  await db.$transaction([
    db.portForward.deleteMany({ where: { id: { in: removed.map((f) => f.id) } } }),
    db.portForward.createMany({ data: added }),
  ])
  return report
}

/** Removes one forward from the host and the table; `ownerId` restricts it to that user's forwards. */
export function removeForward(
  row: HostRow,
  target: HostTarget,
  forwardId: string,
  ownerId?: string,
): Promise<PortForward> {
  return oneAtATime(row.id, () => removeForwardNow(row, target, forwardId, ownerId))
}

async function removeForwardNow(
  row: HostRow,
  target: HostTarget,
  forwardId: string,
  ownerId?: string,
): Promise<PortForward> {
  const existing = await db.portForward.findMany({ where: { hostId: row.id } })
  const forward = existing.find((f) => f.id === forwardId && (ownerId === undefined || f.ownerId === ownerId))
  if (!forward) throw new OperatorError('That forward does not exist (any more).')
  await applyTable(
    row,
    target,
    `Remove forward ${row.name}:${formatRange({ start: forward.hostPortStart, end: forward.hostPortEnd })}/${forward.protocol}`,
    existing.filter((f) => f !== forward),
  )
  await db.portForward.delete({ where: { id: forward.id } })
  return forward
}

/** Makes the host's rules match the table again (missing rules back, foreign ones out, jumps first). */
export function reconcileForwards(row: HostRow, target: HostTarget): Promise<number> {
  return oneAtATime(row.id, async () => {
    const rows = await db.portForward.findMany({ where: { hostId: row.id } })
    await applyTable(row, target, `Reconcile the forwards of ${row.name}`, rows)
    return rows.length
  })
}

/**
 * Installs the hook for guests (qemu.d) and networks (network.d). libvirt only finds hooks present when libvirtd
 * starts, so the operator restarts libvirtd once afterwards (running guests keep running).
 */
export async function installHook(row: HostRow, target: HostTarget): Promise<void> {
  const script = hookScript(undefined, await backendOf(row, target))
  const steps: PlanStep[] = Object.entries(hookPaths).map(([kind, path]) => ({
    label: `Write the ${kind} hook ${path}`,
    command: sh`mkdir -p ${dirOf(path)} && cat > ${path}.tmp && chmod 755 ${path}.tmp && mv -f ${path}.tmp ${path}`,
    stdin: script,
    undo: { label: `Remove ${path}`, command: sh`rm -f ${path}` },
  }))
  await executePlan(target, { title: 'Install the port-forward hook', steps })
}
