import 'server-only'
import { createHash } from 'node:crypto'
import type { PortForward } from '@/lib/db/generated/client'
import type { IpFamily } from '@/lib/addresses/ip-address'

/*
 * A host's forward table as iptables rules, in exactly the form `iptables -S` prints them back, so the rules
 * Virtnet wants and the rules the host has compare as plain strings (drift). The rules live in Virtnet's own
 * chains; the jumps to them sit at the top of the built-in chains, ahead of libvirt's LIBVIRT_* jumps, because
 * libvirt's LIBVIRT_FWI rejects new inbound traffic to a NAT network and anything behind it is never reached.
 */

export type ForwardRuleInput = {
  id: string
  guestUuid: string
  /** the address family of the forward (host address, guest address, sources); IPv4 when absent */
  family?: IpFamily
  bridge: string
  /** the network's subnet of the forward's family, CIDR */
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
    ...(row.family === 'ipv6' && { family: 'ipv6' as const }),
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

/** An iptables rule (`family` ipv6: an ip6tables rule; absent: iptables). */
export type TableRule = { table: 'nat' | 'filter'; rule: string; family?: 'ipv6' }

/*
 * What differs between the families in a rule. IPv6 on a libvirt NAT network is routed, not masqueraded (libvirt
 * has no NAT66), but a forward still means the same to an operator: the host's port, on the host's IPv6 address,
 * leads to the guest's port on the guest's IPv6 address. So both families get the same rules: DNAT, hairpin
 * masquerade (a guest reaching a forward through the host's address must get the reply from the host), accept.
 */
const familyForms = {
  ipv4: { loopback: '127.0.0.0/8', hostBits: 32, iptables: 'iptables', nft: 'ip', withPort: (ip: string) => ip },
  ipv6: { loopback: '::1/128', hostBits: 128, iptables: 'ip6tables', nft: 'ip6', withPort: (ip: string) => `[${ip}]` },
} as const
export const familyForm = (family: IpFamily | undefined) => familyForms[family ?? 'ipv4']
/** The family's mark on a rule (none for IPv4, so IPv4 rules and state lines stay as they always were). */
const familyMark = (family: IpFamily | undefined) => (family === 'ipv6' ? { family: 'ipv6' as const } : {})
/** The state file's TABLE/CHAIN token: `nat`, `filter`, `dnat`… for IPv4, with a `6` for IPv6. */
export const stateToken = (place: string, family: IpFamily | undefined) => (family === 'ipv6' ? `${place}6` : place)

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
const hostCidr = (address: string, family: IpFamily | undefined) =>
  address.includes('/') ? address : `${address}/${familyForm(family).hostBits}`
/** The DNAT target: a range keeps its port numbers (validation only allows identical ranges); one port may change. */
const dnatTarget = (forward: ForwardRuleInput) =>
  forward.hostPortStart === forward.hostPortEnd
    ? `${familyForm(forward.family).withPort(forward.guestIp)}:${forward.guestPortStart}`
    : forward.guestIp

/** The host's IPv4 loopback network: never a forward's destination. */
export const loopbackNet = familyForms.ipv4.loopback

/** The comment that ties a rule on the host to its forward in the database. */
export const ruleTag = (id: string) => `vn:${id}`

export function forwardRules(forward: ForwardRuleInput): TableRule[] {
  const { protocol: p, family } = forward
  const tag = `-m comment --comment "${ruleTag(forward.id)}"`
  const hostPorts = `-p ${p} -m ${p} --dport ${ports(forward.hostPortStart, forward.hostPortEnd)}`
  const guestPorts = `-p ${p} -m ${p} --dport ${ports(forward.guestPortStart, forward.guestPortEnd)}`
  const to = dnatTarget(forward)
  const sources = forward.sourceCidrs.length ? forward.sourceCidrs.map((cidr) => `-s ${cidr} `) : ['']
  // The OUTPUT jump also brings the host's own connections here; those to loopback belong to its loopback
  // services (a database, a guest's VNC console), which a forward must never take over.
  const destination = forward.hostAddress
    ? `-d ${hostCidr(forward.hostAddress, family)} `
    : `! -d ${familyForm(family).loopback} `
  const guest = hostCidr(forward.guestIp, family)
  const rules: TableRule[] = [
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
  return family === 'ipv6' ? rules.map((r) => ({ ...r, ...familyMark(family) })) : rules
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
/** An nftables rule (`family` ipv6: in the ip6 tables, Virtnet's `ip6 virtnet` and libvirt's `ip6 libvirt_network`). */
export type NftRule = { chain: NftChain; rule: string; family?: 'ipv6' }

const nftPorts = (start: number, end: number) => (start === end ? `${start}` : `${start}-${end}`)

/**
 * A forward's nftables rules, each ending in a comment that names the forward and a digest of the rule, so drift
 * detection can compare the rules on the host (`nft -j list ruleset`) with the wanted ones by their comments.
 */
export function nftForwardRules(forward: ForwardRuleInput): NftRule[] {
  const { protocol: p, family } = forward
  const ip = familyForm(family).nft
  const hostPorts = `${p} dport ${nftPorts(forward.hostPortStart, forward.hostPortEnd)}`
  const guestPorts = `${p} dport ${nftPorts(forward.guestPortStart, forward.guestPortEnd)}`
  const to = dnatTarget(forward)
  const sources = forward.sourceCidrs.length ? `${ip} saddr { ${forward.sourceCidrs.join(', ')} } ` : ''
  // As with iptables: the host's own connections to loopback belong to its loopback services.
  const destination = forward.hostAddress
    ? `${ip} daddr ${forward.hostAddress} `
    : `${ip} daddr != ${familyForm(family).loopback} `
  const rules: NftRule[] = [
    { chain: 'dnat', rule: `${sources}${destination}${hostPorts} dnat to ${to}` },
    {
      chain: 'snat',
      rule: `${ip} saddr ${forward.subnet} ${ip} daddr ${forward.guestIp} ${guestPorts} ct status dnat masquerade`,
    },
    // Only connections Virtnet's DNAT made (ct status dnat), only to this guest port, only from allowed sources.
    {
      chain: 'accept',
      rule: `${sources}oifname "${forward.bridge}" ${ip} daddr ${forward.guestIp} ${guestPorts} ct status dnat accept`,
    },
  ]
  return rules.map((r) => ({
    ...r,
    rule: `${r.rule} comment "${nftRuleComment(forward.id, r.rule)}"`,
    ...familyMark(family),
  }))
}

/** `vn:<forward id>:<digest of the rule>`: a rule changed on the host under the same comment no longer matches. */
export function nftRuleComment(id: string, rule: string): string {
  return `${ruleTag(id)}:${createHash('sha256').update(rule).digest('hex').slice(0, 10)}`
}

export const stateFileHeader =
  '# Virtnet port forwards, format 1: R GUEST-UUID TABLE RULE. Written by Virtnet; edits are lost.'

export const nftStateFileHeader =
  '# Virtnet port forwards, format 1 (nftables): R GUEST-UUID CHAIN RULE. Written by Virtnet; edits are lost.'

/*
 * A table with IPv6 forwards says so in its first line, which the hook reads with the shell's own `read`: a host
 * with IPv4 forwards only never runs anything for IPv6 (no ip6tables-restore, no lookup in the ip6 tables).
 */
export const withIpv6 = (header: string) => header.replace('format 1', 'format 1 with IPv6')
export const ipv6HeaderMark = 'format 1 with IPv6'

/** A forward's lines of the state file, as "TABLE RULE" (iptables) or "CHAIN RULE" (nftables); IPv6: nat6, dnat6… */
const stateLines = (forward: ForwardRuleInput, backend: FirewallBackend) =>
  backend === 'nftables'
    ? nftForwardRules(forward).map(({ chain, rule }) => `${stateToken(chain, forward.family)} ${rule}`)
    : forwardRules(forward).map(({ table, rule }) => `${stateToken(table, forward.family)} ${rule}`)

/**
 * The state file the hook re-applies from (every rule, keyed by the guest it belongs to) and whose each of its lines
 * is: null for the header and the end, else the forward's owner, so a self-service user's view of the table shows
 * their own rules only (describePlan). Each forward's rules are built once for both.
 */
export function renderStateTable(
  forwards: ForwardRuleInput[],
  backend: FirewallBackend = 'iptables',
): { content: string; owners: Array<string | null> } {
  const header = backend === 'nftables' ? nftStateFileHeader : stateFileHeader
  const lines: string[] = [forwards.some((f) => f.family === 'ipv6') ? withIpv6(header) : header]
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
