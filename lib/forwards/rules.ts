import 'server-only'
import { createHash } from 'node:crypto'
import type { PortForward } from '@/lib/db/generated/client'

/*
 * A host's forward table as iptables rules, in exactly the form `iptables -S` prints them back, so the rules
 * Virtnet wants and the rules the host has compare as plain strings (drift). The rules live in Virtnet's own
 * chains; the jumps to them sit at the top of the built-in chains, ahead of libvirt's LIBVIRT_* jumps, because
 * libvirt's LIBVIRT_FWI rejects new inbound traffic to a NAT network and anything behind it is never reached.
 */

export type ForwardRuleInput = {
  id: string
  guestUuid: string
  bridge: string
  /** the NAT network's subnet, CIDR */
  subnet: string
  guestIp: string
  protocol: 'tcp' | 'udp'
  hostPortStart: number
  hostPortEnd: number
  guestPortStart: number
  guestPortEnd: number
  hostAddress: string | null
  /** empty = anyone may connect */
  sourceCidrs: string[]
  /** the user who added it (null: added by no signed-in user) */
  ownerId?: string | null
}

/** A stored forward (a row of the table) as the rules take it. */
export function toRuleInput(row: PortForward): ForwardRuleInput {
  return {
    id: row.id,
    guestUuid: row.guestUuid,
    bridge: row.bridge,
    subnet: row.subnet,
    guestIp: row.guestIp,
    protocol: row.protocol === 'udp' ? 'udp' : 'tcp',
    hostPortStart: row.hostPortStart,
    hostPortEnd: row.hostPortEnd,
    guestPortStart: row.guestPortStart,
    guestPortEnd: row.guestPortEnd,
    hostAddress: row.hostAddress,
    sourceCidrs: row.sourceCidrs ? row.sourceCidrs.split(',') : [],
    ownerId: row.ownerId,
  }
}

export type TableRule = { table: 'nat' | 'filter'; rule: string }

export const chains = { dnat: 'VIRTNET_DNAT', snat: 'VIRTNET_SNAT', forward: 'VIRTNET_FWD' } as const

/** The jumps from the built-in chains, as `iptables -S` prints them; the hook keeps them in first place. */
export const jumps: Array<{ table: 'nat' | 'filter'; chain: string; rule: string }> = [
  { table: 'nat', chain: 'PREROUTING', rule: `-m addrtype --dst-type LOCAL -j ${chains.dnat}` },
  // Connections from the host itself to its own address:port never pass PREROUTING.
  { table: 'nat', chain: 'OUTPUT', rule: `-m addrtype --dst-type LOCAL -j ${chains.dnat}` },
  { table: 'nat', chain: 'POSTROUTING', rule: `-j ${chains.snat}` },
  { table: 'filter', chain: 'FORWARD', rule: `-j ${chains.forward}` },
]

const ports = (start: number, end: number) => (start === end ? `${start}` : `${start}:${end}`)
const host32 = (address: string) => (address.includes('/') ? address : `${address}/32`)

/** The host's loopback network: never a forward's destination. */
export const loopbackNet = '127.0.0.0/8'

/** The comment that ties a rule on the host to its forward in the database. */
export const ruleTag = (id: string) => `vn:${id}`

export function forwardRules(forward: ForwardRuleInput): TableRule[] {
  const { protocol: p } = forward
  const tag = `-m comment --comment "${ruleTag(forward.id)}"`
  const hostPorts = `-p ${p} -m ${p} --dport ${ports(forward.hostPortStart, forward.hostPortEnd)}`
  const guestPorts = `-p ${p} -m ${p} --dport ${ports(forward.guestPortStart, forward.guestPortEnd)}`
  // A range keeps its port numbers (validation only allows identical ranges); a single port may be rewritten.
  const to =
    forward.hostPortStart === forward.hostPortEnd ? `${forward.guestIp}:${forward.guestPortStart}` : forward.guestIp
  const sources = forward.sourceCidrs.length ? forward.sourceCidrs.map((cidr) => `-s ${cidr} `) : ['']
  // The OUTPUT jump also brings the host's own connections here; those to 127.0.0.0/8 belong to its loopback
  // services (a database, a guest's VNC console), which a forward must never take over.
  const destination = forward.hostAddress ? `-d ${host32(forward.hostAddress)} ` : `! -d ${loopbackNet} `
  const guest = host32(forward.guestIp)
  return [
    ...sources.map((s) => ({
      table: 'nat' as const,
      rule: `-A ${chains.dnat} ${s}${destination}${hostPorts} ${tag} -j DNAT --to-destination ${to}`,
    })),
    // Hairpin: a guest on the same network reaching the forward through a host address must see the reply come
    // back from the host, not straight from the other guest.
    {
      table: 'nat',
      rule: `-A ${chains.snat} -s ${forward.subnet} -d ${guest} ${guestPorts} -m conntrack --ctstate DNAT ${tag} -j MASQUERADE`,
    },
    ...sources.map((s) => ({
      table: 'filter' as const,
      rule: `-A ${chains.forward} ${s}-d ${guest} -o ${forward.bridge} ${guestPorts} -m conntrack --ctstate DNAT ${tag} -j ACCEPT`,
    })),
  ]
}

/** libvirt's firewall backend for its networks, which decides the form of Virtnet's forward rules on that host. */
export type FirewallBackend = 'iptables' | 'nftables'

/*
 * On libvirt's nftables backend (libvirt >= 10.4): libvirt keeps its rules in its own table `ip libvirt_network`, whose
 * forward chain jumps to `guest_input`, which accepts only related/established traffic into a NAT network and rejects
 * the rest. A packet must pass every base chain of its hook, so no accept in another table gets a forward past that
 * reject. Virtnet therefore keeps everything it can in its own table `ip virtnet` (DNAT for traffic from outside and
 * from the host itself, hairpin masquerade) and puts exactly one thing into libvirt's table: a chain of its own
 * (`virtnet_accept`, one accept per forward, for DNAT'd connections to that guest port only) and one jump to it at
 * the top of `guest_input`. libvirt inserts its rules at the top when a network starts, so the hook moves the jump
 * back to first place then, as it does with the iptables jumps.
 */
export const nft = {
  table: 'virtnet',
  libvirtTable: 'libvirt_network',
  libvirtChain: 'guest_input',
  acceptChain: 'virtnet_accept',
  /** the comment of the jump from libvirt's guest_input to virtnet_accept */
  jumpComment: 'virtnet',
} as const

/** The chains a forward's nftables rules go into: Virtnet's own dnat and snat, and its chain in libvirt's table. */
export type NftChain = 'dnat' | 'snat' | 'accept'
export type NftRule = { chain: NftChain; rule: string }

const nftPorts = (start: number, end: number) => (start === end ? `${start}` : `${start}-${end}`)

/**
 * A forward's nftables rules, each ending in a comment that names the forward and a digest of the rule, so drift
 * detection can compare the rules on the host (`nft -j list ruleset`) with the wanted ones by their comments.
 */
export function nftForwardRules(forward: ForwardRuleInput): NftRule[] {
  const { protocol: p } = forward
  const hostPorts = `${p} dport ${nftPorts(forward.hostPortStart, forward.hostPortEnd)}`
  const guestPorts = `${p} dport ${nftPorts(forward.guestPortStart, forward.guestPortEnd)}`
  const to =
    forward.hostPortStart === forward.hostPortEnd ? `${forward.guestIp}:${forward.guestPortStart}` : forward.guestIp
  const sources = forward.sourceCidrs.length ? `ip saddr { ${forward.sourceCidrs.join(', ')} } ` : ''
  // As with iptables: the host's own connections to loopback belong to its loopback services.
  const destination = forward.hostAddress ? `ip daddr ${forward.hostAddress} ` : `ip daddr != ${loopbackNet} `
  const rules: NftRule[] = [
    { chain: 'dnat', rule: `${sources}${destination}${hostPorts} dnat to ${to}` },
    {
      chain: 'snat',
      rule: `ip saddr ${forward.subnet} ip daddr ${forward.guestIp} ${guestPorts} ct status dnat masquerade`,
    },
    // Only connections Virtnet's DNAT made (ct status dnat), only to this guest port, only from allowed sources.
    {
      chain: 'accept',
      rule: `${sources}oifname "${forward.bridge}" ip daddr ${forward.guestIp} ${guestPorts} ct status dnat accept`,
    },
  ]
  return rules.map((r) => ({ ...r, rule: `${r.rule} comment "${nftRuleComment(forward.id, r.rule)}"` }))
}

/** `vn:<forward id>:<digest of the rule>`: a rule changed on the host under the same comment no longer matches. */
export function nftRuleComment(id: string, rule: string): string {
  return `${ruleTag(id)}:${createHash('sha256').update(rule).digest('hex').slice(0, 10)}`
}

export const stateFileHeader =
  '# Virtnet port forwards, format 1: R GUEST-UUID TABLE RULE. Written by Virtnet; edits are lost.'

export const nftStateFileHeader =
  '# Virtnet port forwards, format 1 (nftables): R GUEST-UUID CHAIN RULE. Written by Virtnet; edits are lost.'

/** A forward's lines of the state file, as "TABLE RULE" (iptables) or "CHAIN RULE" (nftables). */
const stateLines = (forward: ForwardRuleInput, backend: FirewallBackend) =>
  backend === 'nftables'
    ? nftForwardRules(forward).map(({ chain, rule }) => `${chain} ${rule}`)
    : forwardRules(forward).map(({ table, rule }) => `${table} ${rule}`)

/**
 * The state file the hook re-applies from (every rule, keyed by the guest it belongs to) and whose each of its lines
 * is: null for the header and the end, else the forward's owner, so a self-service user's view of the table shows
 * their own rules only (describePlan). Each forward's rules are built once for both.
 */
export function renderStateTable(
  forwards: ForwardRuleInput[],
  backend: FirewallBackend = 'iptables',
): { content: string; owners: Array<string | null> } {
  const lines: string[] = [backend === 'nftables' ? nftStateFileHeader : stateFileHeader]
  const owners: Array<string | null> = [null]
  for (const forward of forwards) {
    const owner = forward.ownerId ?? '(no owner)'
    for (const line of stateLines(forward, backend)) {
      lines.push(`R ${forward.guestUuid} ${line}`)
      owners.push(owner)
    }
  }
  lines.push('')
  owners.push(null)
  return { content: lines.join('\n'), owners }
}

export function renderStateFile(forwards: ForwardRuleInput[], backend: FirewallBackend = 'iptables'): string {
  return renderStateTable(forwards, backend).content
}

export function stateFileLineOwners(
  forwards: ForwardRuleInput[],
  backend: FirewallBackend = 'iptables',
): Array<string | null> {
  return renderStateTable(forwards, backend).owners
}

/** The rules that should be live: those of forwards whose guest runs (the hook adds the others when it starts). */
export function desiredRules(forwards: ForwardRuleInput[], runningUuids: ReadonlySet<string>): TableRule[] {
  return forwards.filter((forward) => runningUuids.has(forward.guestUuid)).flatMap(forwardRules)
}

/** The nftables rules that should be live (forwards of running guests). */
export function desiredNftRules(forwards: ForwardRuleInput[], runningUuids: ReadonlySet<string>): NftRule[] {
  return forwards.filter((forward) => runningUuids.has(forward.guestUuid)).flatMap(nftForwardRules)
}
