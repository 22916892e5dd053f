import 'server-only'
// Calling the app's server actions in integration tests the way a browser posts a form: every exported action of
// every app/**/actions.ts, a signed-in user of any role (a real session, its token in the simulated request's cookie
// jar), FormData in and FormState out; and before/after snapshots of everything an action could change — every table
// of the database and what lab host B has — to prove it changed nothing (a preview) or only what it should.
// The test file wires up the Next request APIs from lib/test/next-request.ts (see there).
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { databaseProvider } from '@/lib/db/url'
import { Prisma } from '@/lib/db/generated/client'
import { createUser } from '@/lib/auth/users'
import { createSession, destroySession } from '@/lib/auth/session'
import type { Role } from '@/lib/auth/roles'
import { initialFormState, type FormState } from '@/lib/actions/form-state'
import { inHostB } from '@/lib/test/lab'
import { RedirectSignal, request } from '@/lib/test/next-request'
import { clientHeaders } from '@/lib/config/client-address'

const root = path.resolve(import.meta.dirname, '../..')

// ---------------------------------------------------------------------------------------------------------------
// The actions

/** A server action as a form calls it (useActionState): the previous state and the posted FormData. */
export type ServerAction = (previous: FormState, formData: FormData) => Promise<FormState | void>

export type DiscoveredAction = {
  /** e.g. app/(dashboard)/users/actions.ts */
  file: string
  /** the exported name, e.g. createUserAction */
  name: string
  action: ServerAction
  /** the exported function's source text, up to its closing brace */
  source: string
}

function actionFiles(dir = 'app'): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name)
    if (entry.isDirectory()) return actionFiles(relative)
    return entry.name === 'actions.ts' ? [relative] : []
  })
}

/** Every exported function of every app/**\/actions.ts, imported for real: an action added later is found too. */
export async function discoverServerActions(): Promise<DiscoveredAction[]> {
  const found: DiscoveredAction[] = []
  for (const file of actionFiles().sort()) {
    const text = fs.readFileSync(path.join(root, file), 'utf8')
    const exports = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, unknown>
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== 'function') continue
      const start = text.search(new RegExp(`^export async function ${name}\\b`, 'm'))
      const end = start < 0 ? -1 : text.indexOf('\n}', start)
      found.push({
        file,
        name,
        action: value as ServerAction,
        source: start < 0 ? '' : text.slice(start, end < 0 ? text.length : end + 2),
      })
    }
  }
  return found
}

// ---------------------------------------------------------------------------------------------------------------
// Who is signed in

export type TestUser = { id: string; username: string; role: Role; password: string }

/** A user of the given role, created through lib/auth/users like any other account. */
export async function createTestUser(username: string, role: Role): Promise<TestUser> {
  const password = `${username}-password-for-tests`
  const user = await createUser(username, role, password)
  return { id: user.id, username, role, password }
}

/** Signs `user` in the way the login action does (lib/auth/session's createSession): the token lands in the jar. */
export async function signIn(user: TestUser): Promise<void> {
  request.cookies.clear()
  await createSession(user.id)
}

export async function signOut(): Promise<void> {
  await destroySession()
}

let signedOutVisits = 0

/**
 * A browser without a session cookie (no session row is touched): the anonymous visitor, each time from an address of
 * its own (2001:db8::/32 is for documentation), since only a client's first refusal in a minute gets its own audit
 * record (lib/audit/refusals.ts).
 */
export function browseSignedOut(): void {
  request.cookies.clear()
  request.headers.set(
    clientHeaders.address,
    `2001:db8:${process.pid.toString(16)}::${(++signedOutVisits).toString(16)}`,
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Calling an action

export type ActionCall = {
  /** what the action returned; null when it redirected instead */
  state: FormState | null
  redirectedTo: string | null
  /** the paths it asked Next to revalidate */
  revalidated: string[]
}

export type FormFields = Record<string, string>

/** Posts `fields` to `action` as the signed-in user; `dryRun` adds the Preview button's dryRun=1. */
export async function callAction(
  action: ServerAction,
  fields: FormFields,
  options: { dryRun?: boolean } = {},
): Promise<ActionCall> {
  request.startAction()
  const formData = new FormData()
  for (const [key, value] of Object.entries(fields)) formData.append(key, value)
  if (options.dryRun) formData.append('dryRun', '1')
  try {
    const state = await action(initialFormState, formData)
    return { state: state ?? null, redirectedTo: null, revalidated: [...request.revalidated] }
  } catch (error) {
    if (!(error instanceof RedirectSignal)) throw error
    return { state: null, redirectedTo: error.url, revalidated: [...request.revalidated] }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The database, every table

/**
 * Columns that change without anyone acting: currentUser() moves a session's lastSeenAt and expiresAt forward (at
 * most once a minute) on any signed-in request, before an action starts its work.
 */
const volatileColumns: Record<string, string[]> = { Session: ['lastSeenAt', 'expiresAt'] }

/** Each table's rows, serialized in rowid order. AuditEvent is kept apart: it is append-only and refusals add to it. */
export type DatabaseSnapshot = { tables: Map<string, string[]>; auditEvents: AuditRow[] }
export type AuditRow = {
  id: number
  actorId: string | null
  actorName: string
  action: string
  result: string
  error: string | null
  row: string
}

const serialize = (row: Record<string, unknown>) =>
  JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))

const onPostgres = () => databaseProvider() === 'postgresql'

async function tableNames(): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<Array<{ name: string }>>(
    onPostgres()
      ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
      : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  )
  const names = rows.map((row) => row.name)
  const missing = Object.values(Prisma.ModelName).filter((model) => !names.includes(model))
  if (missing.length)
    throw new Error(`No table for the Prisma model(s) ${missing.join(', ')}: the snapshot would miss them`)
  return names
}

export async function snapshotDatabase(): Promise<DatabaseSnapshot> {
  const tables = new Map<string, string[]>()
  let auditEvents: AuditRow[] = []
  for (const table of await tableNames()) {
    // PostgreSQL has no rowid: its rows in the order of their whole text, the same in every snapshot.
    const rows = await db.$queryRawUnsafe<Array<Record<string, unknown>>>(
      onPostgres() && table !== Prisma.ModelName.AuditEvent
        ? `SELECT * FROM "${table}" t ORDER BY t::text`
        : `SELECT * FROM "${table}" ORDER BY ${onPostgres() ? 'id' : 'rowid'}`,
    )
    if (table === Prisma.ModelName.AuditEvent) {
      auditEvents = rows.map((row) => ({
        id: Number(row.id),
        actorId: row.actorId === null ? null : String(row.actorId),
        actorName: String(row.actorName),
        action: String(row.action),
        result: String(row.result),
        error: row.error === null ? null : String(row.error),
        row: serialize(row),
      }))
      continue
    }
    // The count of signed-out refusals moves with every such refusal, as the audit log does.
    if (table === Prisma.ModelName.AuditRefusalWindow) continue
    const volatile = volatileColumns[table] ?? []
    tables.set(
      table,
      rows.map((row) => serialize(Object.fromEntries(Object.entries(row).filter(([key]) => !volatile.includes(key))))),
    )
  }
  return { tables, auditEvents }
}

/** What changed between two snapshots, one line per added or removed row (AuditEvent apart: see auditEventsAdded). */
export function databaseChanges(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  const changes: string[] = []
  for (const table of new Set([...before.tables.keys(), ...after.tables.keys()])) {
    changes.push(...lineChanges(table, before.tables.get(table) ?? [], after.tables.get(table) ?? []))
  }
  return changes
}

/** The audit rows added since `before`; throws if any earlier row changed or went away (the log is append-only). */
export function auditEventsAdded(before: DatabaseSnapshot, after: DatabaseSnapshot): AuditRow[] {
  const kept = after.auditEvents.slice(0, before.auditEvents.length).map((event) => event.row)
  const rewritten = lineChanges(
    'AuditEvent',
    before.auditEvents.map((event) => event.row),
    kept,
  )
  if (rewritten.length) throw new Error(`Earlier audit records changed:\n${rewritten.join('\n')}`)
  return after.auditEvents.slice(before.auditEvents.length)
}

function lineChanges(section: string, before: string[], after: string[]): string[] {
  if (before.length === after.length && before.every((line, index) => line === after[index])) return []
  const left = new Set(before)
  const right = new Set(after)
  const removed = before.filter((line) => !right.has(line)).map((line) => `${section}: - ${line}`)
  const added = after.filter((line) => !left.has(line)).map((line) => `${section}: + ${line}`)
  return removed.length || added.length ? [...removed, ...added] : [`${section}: the same lines in another order`]
}

// ---------------------------------------------------------------------------------------------------------------
// Lab host B, everything a Virtnet action changes there

/**
 * Sections of what host B has: its networks and guests (lists, live and persistent XML), the whole iptables
 * ruleset without counters, its links and their IPv4 addresses, the libvirt hooks, Virtnet's forward table and the
 * directories Virtnet writes to (forward state, bridge revert scripts, sysctl.d). Read through `lab.sh exec-b`, not
 * through the dashboard. The firewall is read first: libvirt adds a network's rules after its bridge and removes them
 * before it, so rules read first always belong to a bridge (and subnet) that the later reads still see.
 */
export type HostSnapshot = Map<string, string[]>

const snapshotScript = String.raw`
echo '@@@section iptables@@@'; iptables-save | grep -v '^#' | sed -E 's/ ?\[[0-9]+:[0-9]+\]//'
echo '@@@section hooks@@@'; find /etc/libvirt/hooks -printf '%M %u %p\n' 2>&1; find /etc/libvirt/hooks -name '*virtnet*' -type f -exec sha256sum {} + 2>&1
echo '@@@section forwards.rules@@@'; cat /var/lib/libvirt/virtnet/forwards.rules 2>&1
echo '@@@section files@@@'; ls -lA --time-style=full-iso /var/lib/libvirt/virtnet /run/virtnet /etc/sysctl.d 2>&1
nets=$(virsh -q net-list --all --name | grep -E '^[A-Za-z0-9_.+-]+$')
doms=$(virsh -q list --all --name | grep -E '^[A-Za-z0-9_.+-]+$')
echo '@@@section net-list@@@'; virsh -q net-list --all
echo '@@@section list@@@'; virsh -q list --all
cmds=''
for n in $nets; do cmds="$cmds echo @@@section net $n@@@; net-dumpxml --network $n; echo @@@section net-config $n@@@; net-dumpxml --inactive --network $n;"; done
for d in $doms; do cmds="$cmds echo @@@section dom $d@@@; dumpxml --domain $d; echo @@@section dom-config $d@@@; dumpxml --inactive --domain $d;"; done
[ -z "$cmds" ] || virsh -q "$cmds" 2>/dev/null
echo '@@@section links@@@'; ip -br link
echo '@@@section addresses@@@'; ip -o -4 addr show
true`
export function snapshotHostB(): HostSnapshot {
  const parts = inHostB(snapshotScript).split(/@@@section (.*?)@@@/)
  const sections: HostSnapshot = new Map()
  for (let index = 1; index < parts.length; index += 2) {
    const title = parts[index]!
    // A network's live XML counts the guest interfaces plugged into it, other tests' guests included.
    const text = title.startsWith('net ')
      ? (parts[index + 1] ?? '').replace(/ connections='\d+'/, '')
      : parts[index + 1]
    // Whitespace is layout (virsh pads its tables to the longest name, other tests' names included).
    const lines = (text ?? '')
      .split('\n')
      .map((line) => line.trim().replace(/\s+/g, ' '))
      .filter(Boolean)
    sections.set(title, lines)
  }
  return sections
}

/**
 * Which things on host B a test may look at: the lab's own (network default on virbr0, its guests vnlab-*, the
 * uplink) and whatever carries the test's prefix. Other tests run on host B at the same time; their networks,
 * guests and links — and every line that names one of them, their bridges, taps or subnets — are left out of the
 * comparison, so only a change to what is in scope (or to something nobody owns) counts.
 */
export function labAndPrefixScope(prefix: string): (name: string) => boolean {
  return (name) =>
    name === 'default' || name === 'virbr0' || name === 'lo' || name.startsWith('vnlab-') || name.startsWith(prefix)
}

type Ipv4Subnet = { base: number; mask: number }

const ipv4ToNumber = (ip: string) => ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0)

function subnetOf(address: string, prefix: number): Ipv4Subnet {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  return { base: (ipv4ToNumber(address) & mask) >>> 0, mask }
}

const prefixOfNetmask = (netmask: string) => ipv4ToNumber(netmask).toString(2).replace(/0+$/, '').length

/** Names, bridges, taps, links and IPv4 subnets of everything outside the scope, in any of the snapshots. */
function foreignThings(snapshots: HostSnapshot[], inScope: (name: string) => boolean) {
  const names = new Set<string>()
  const subnets: Ipv4Subnet[] = []
  const scopedTaps = new Set<string>()
  for (const snapshot of snapshots) {
    for (const [title, lines] of snapshot) {
      const [kind, name] = title.split(' ') as [string, string | undefined]
      const xml = lines.join('\n')
      if (kind === 'net' && name && !inScope(name)) {
        names.add(name)
        for (const [, bridge] of xml.matchAll(/<bridge name='([^']+)'/g)) names.add(bridge!)
        for (const [, address, attribute, value] of xml.matchAll(
          /<ip (?:family='ipv4' )?address='([\d.]+)' (prefix|netmask)='([\d.]+)'/g,
        ))
          subnets.push(subnetOf(address!, attribute === 'prefix' ? Number(value) : prefixOfNetmask(value!)))
      }
      if (kind === 'dom' && name) {
        const taps = [...xml.matchAll(/<target dev='([^']+)'/g)].map(([, tap]) => tap!)
        if (inScope(name)) taps.forEach((tap) => scopedTaps.add(tap))
        else [name, ...taps].forEach((tap) => names.add(tap))
      }
    }
  }
  const foreignLink = (link: string) => !inScope(link) && !scopedTaps.has(link)
  for (const snapshot of snapshots) {
    // Also the networks and guests the lists name but the XML dumps missed (created between the two reads):
    // "default active yes yes", "1 vnlab-b1 running".
    const listed = [
      ...(snapshot.get('net-list') ?? []).map((line) => line.split(' ')[0]!),
      ...(snapshot.get('list') ?? []).map((line) => line.split(' ')[1] ?? ''),
    ]
    for (const name of listed) if (name && !inScope(name)) names.add(name)
    for (const line of snapshot.get('links') ?? []) {
      const link = line.split(' ')[0]!.replace(/@.*$/, '')
      if (foreignLink(link)) names.add(link)
    }
    // "4: vnxbr0 inet 10.1.2.1/24 brd …": the subnets on other tests' links (their networks' bridges among them).
    for (const line of snapshot.get('addresses') ?? []) {
      const [, link, address, prefix] = /^\d+: (\S+?)(?:@\S+)? inet ([\d.]+)\/(\d+)/.exec(line) ?? []
      if (link && foreignLink(link)) subnets.push(subnetOf(address!, Number(prefix)))
    }
    // "-A LIBVIRT_FWI -d 10.235.2.0/24 -o vbgb4512 …": the rules of another test's link and its subnet, also when
    // neither the link nor its network is left by the later reads (a transient network destroyed meanwhile).
    for (const line of snapshot.get('iptables') ?? []) {
      const links = [...line.matchAll(/ -[io] (\S+)/g)].map(([, link]) => link!).filter(foreignLink)
      if (!links.length) continue
      links.forEach((link) => names.add(link))
      for (const [, address, prefix] of line.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})\b/g))
        if (Number(prefix) >= 8) subnets.push(subnetOf(address!, Number(prefix)))
    }
  }
  return { names, subnets }
}

function mentionsForeign(
  line: string,
  foreign: ReturnType<typeof foreignThings>,
  inScope: (name: string) => boolean,
): boolean {
  for (const word of line.split(/[^A-Za-z0-9_.+-]+/)) if (foreign.names.has(word)) return true
  // /run/virtnet/bridge-<bridge>.revert and its kin: the files of another test's host bridge.
  const bridgeFile = / bridge-([^.\s]+)\.\S+$/.exec(line)
  if (bridgeFile && !inScope(bridgeFile[1]!)) return true
  for (const [ip] of line.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)) {
    const value = ipv4ToNumber(ip)
    if (foreign.subnets.some((subnet) => (value & subnet.mask) >>> 0 === subnet.base)) return true
  }
  return false
}

/*
 * The port-forward table is one per host, shared by every test that forwards on host B: its chains and the jumps to
 * them come and go with anyone's first and last forward, its files change with anyone's apply, and libvirt's hook
 * directory also holds other tests' hooks. There a line counts only when it names one of the test's own addresses
 * (its forwards' rules); Virtnet's own hook files count by content.
 */
function sharedForwardLine(section: string, line: string, ownsAddress: (ip: string) => boolean): boolean {
  const shared =
    (section === 'iptables' && line.includes('VIRTNET_')) ||
    section === 'forwards.rules' ||
    (section === 'files' && /\bforwards[-.]/.test(line)) ||
    (section === 'hooks' && !line.includes('virtnet'))
  if (!shared) return false
  return !(section !== 'hooks' && [...line.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)].some(([ip]) => ownsAddress(ip)))
}

/**
 * What changed on host B between two snapshots, within the scope; [] when nothing did. `ownsAddress` tells the
 * test's own guest addresses, the only ones whose forward rules are its business.
 */
export function hostChanges(
  before: HostSnapshot,
  after: HostSnapshot,
  inScope: (name: string) => boolean,
  ownsAddress: (ip: string) => boolean,
): string[] {
  const foreign = foreignThings([before, after], inScope)
  const changes: string[] = []
  for (const title of new Set([...before.keys(), ...after.keys()])) {
    const name = title.split(' ')[1]
    if (name && foreign.names.has(name)) continue
    // ls's "total" sums up everything in a directory, other tests' files included.
    const scoped = (lines: string[] | undefined) =>
      (lines ?? []).filter(
        (line) =>
          !line.startsWith('total ') &&
          !mentionsForeign(line, foreign, inScope) &&
          !sharedForwardLine(title, line, ownsAddress),
      )
    changes.push(...lineChanges(title, scoped(before.get(title)), scoped(after.get(title))))
  }
  return changes
}
