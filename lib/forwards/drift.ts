import 'server-only'
import { chains, familyForm, jumps, nft, type NftChain, type NftRule, type TableRule } from '@/lib/forwards/rules'
import type { IpFamily } from '@/lib/addresses/ip-address'

/** A rule as drift shows it: where it is (an iptables table, or an nftables chain) and its text. */
export type DriftRule = { table: string; rule: string }

export type Drift = {
  /** rules Virtnet wants that the host does not have */
  missing: DriftRule[]
  /** rules in Virtnet's chains that no forward explains */
  foreign: DriftRule[]
  /** problems with the jumps into Virtnet's chains (absent, duplicated, or behind libvirt's rules) */
  jumpProblems: string[]
}

const ours = Object.values(chains) as string[]

/** `iptables -S` of the nat and filter tables, and `ip6tables -S` of them (absent: not read, or no ip6tables). */
export type IptablesListing = { nat: string[]; filter: string[]; nat6?: string[]; filter6?: string[] }

const families: IpFamily[] = ['ipv4', 'ipv6']
const familyOf = (rule: { family?: IpFamily }): IpFamily => rule.family ?? 'ipv4'

/**
 * Compares the rules that should be live with `iptables -S` (and `ip6tables -S`) of the nat and filter tables. Each
 * family's jumps must be there, once and first, exactly while that family has rules to apply.
 */
export function computeDrift(desired: TableRule[], actual: IptablesListing): Drift {
  const drift: Drift = { missing: [], foreign: [], jumpProblems: [] }
  for (const family of families) {
    const wanted = desired.filter((r) => familyOf(r) === family)
    const listing = (table: 'nat' | 'filter') =>
      (family === 'ipv6' ? actual[`${table}6`] : actual[table]) ?? ([] as string[])
    // IPv4 is named as it always was; IPv6 rules and problems name ip6tables.
    const where = (table: string) => (family === 'ipv6' ? `${familyForm(family).iptables} ${table}` : table)
    const present = (['nat', 'filter'] as const).flatMap((table) =>
      listing(table)
        .filter((line) => ours.some((chain) => line.startsWith(`-A ${chain} `)))
        .map((rule) => ({ table, rule })),
    )
    const key = (r: TableRule) => `${r.table} ${r.rule}`
    const presentKeys = new Set(present.map(key))
    const desiredKeys = new Set(wanted.map(key))
    const hasForwards = wanted.length > 0
    for (const jump of jumps) {
      const builtIn = listing(jump.table).filter((line) => line.startsWith(`-A ${jump.chain} `))
      const target = jump.rule.split(' ').at(-1)!
      const positions = builtIn.flatMap((line, index) => (line.split(' ').at(-1) === target ? [index] : []))
      const chain = `${jump.chain} (${where(jump.table)})`
      if (!hasForwards) {
        if (positions.length) drift.jumpProblems.push(`${chain} still jumps to ${target} although no forward is left.`)
        continue
      }
      if (positions.length === 0) drift.jumpProblems.push(`${chain} has no jump to ${target}: no forward works.`)
      else if (positions.length > 1) drift.jumpProblems.push(`${chain} jumps to ${target} ${positions.length} times.`)
      else if (positions[0] !== 0)
        drift.jumpProblems.push(
          `The jump to ${target} is rule ${positions[0]! + 1} of ${chain}, behind ${builtIn[0]}: libvirt's rules come first.`,
        )
    }
    const shown = (r: TableRule) => (family === 'ipv6' ? { table: where(r.table), rule: r.rule } : r)
    drift.missing.push(...wanted.filter((r) => !presentKeys.has(key(r))).map(shown))
    drift.foreign.push(...present.filter((r) => !desiredKeys.has(key(r))).map(shown))
  }
  return drift
}

export const driftCount = (d: Drift) => d.missing.length + d.foreign.length + d.jumpProblems.length

/** The parts of `nft -j list ruleset` drift reads. */
type NftJsonRule = { family: string; table: string; chain: string; handle: number; comment?: string; expr?: unknown[] }
type NftJsonChain = { family: string; table: string; name: string; hook?: string }
export type NftRuleset = {
  nftables: Array<{ rule?: NftJsonRule; chain?: NftJsonChain; table?: { family: string; name: string } }>
}

/** Where each kind of rule lives on the host: Virtnet's own table, and its chain in libvirt's table. */
const nftPlace: Record<NftChain, { table: string; chain: string }> = {
  dnat: { table: nft.table, chain: 'forwards' },
  snat: { table: nft.table, chain: 'postrouting' },
  accept: { table: nft.libvirtTable, chain: nft.acceptChain },
}
const commentOf = (rule: string) => /comment "([^"]+)"$/.exec(rule)?.[1] ?? ''
const jumpsTo = (rule: NftJsonRule, target: string) =>
  JSON.stringify(rule.expr ?? []).includes(`{"jump":{"target":"${target}"}}`)

/**
 * Compares the nftables rules that should be live with `nft -j list ruleset`. Rules are told apart by their comment
 * (the forward and a digest of the rule, see nftRuleComment); the placement checks are the nftables form of the
 * iptables jump checks: Virtnet's base chains jump to its forwards chain, and its jump is first in guest_input. Each
 * family (tables `ip` and `ip6`) is checked alone: its table and jump must be there exactly while it has rules.
 */
export function computeNftDrift(desired: NftRule[], ruleset: NftRuleset): Drift {
  const items = ruleset.nftables ?? []
  const drift: Drift = { missing: [], foreign: [], jumpProblems: [] }
  for (const family of families) {
    const f = familyForm(family).nft
    const wanted = desired.filter((r) => familyOf(r) === family)
    const hasForwards = wanted.length > 0
    const rules = items.flatMap((i) => (i.rule && i.rule.family === f ? [i.rule] : []))
    const wantedKeys = new Set(wanted.map((r) => `${r.chain} ${commentOf(r.rule)}`))
    const present = (Object.entries(nftPlace) as Array<[NftChain, { table: string; chain: string }]>).flatMap(
      ([chain, place]) =>
        rules
          .filter((r) => r.table === place.table && r.chain === place.chain)
          .map((r) => ({ chain, comment: r.comment ?? '', handle: r.handle })),
    )
    const presentKeys = new Set(present.map((r) => `${r.chain} ${r.comment}`))
    // IPv4 is named as it always was; IPv6 names its ip6 tables.
    const where = (chain: NftChain) =>
      `${family === 'ipv6' ? 'ip6 ' : ''}${nftPlace[chain].table} ${nftPlace[chain].chain}`
    const libvirtChain = `${family === 'ipv6' ? 'ip6 ' : ''}${nft.libvirtChain}`
    const problem = (text: string) => drift.jumpProblems.push(text)
    const ours = items.some((i) => i.table?.family === f && i.table.name === nft.table)
    const guestInput = rules.filter((r) => r.table === nft.libvirtTable && r.chain === nft.libvirtChain)
    const positions = guestInput.flatMap((r, index) => (jumpsTo(r, nft.acceptChain) ? [index] : []))
    if (!hasForwards) {
      if (ours) problem(`The table ${f} ${nft.table} is still there although no forward is left.`)
      if (positions.length) problem(`${libvirtChain} still jumps to ${nft.acceptChain} although no forward is left.`)
    } else {
      for (const hook of ['prerouting', 'output']) {
        const chain = items.find((i) => i.chain?.family === f && i.chain.table === nft.table && i.chain.name === hook)
        const jumps = rules.filter((r) => r.table === nft.table && r.chain === hook && jumpsTo(r, 'forwards'))
        if (!chain?.chain?.hook || jumps.length !== 1)
          problem(`The ${hook} chain of ${f} ${nft.table} does not jump to its forwards chain once: no forward works.`)
      }
      if (guestInput.length) {
        if (positions.length === 0)
          problem(`libvirt's ${libvirtChain} has no jump to ${nft.acceptChain}: libvirt rejects every forward.`)
        else if (positions.length > 1)
          problem(`libvirt's ${libvirtChain} jumps to ${nft.acceptChain} ${positions.length} times.`)
        else if (positions[0] !== 0)
          problem(
            `The jump to ${nft.acceptChain} is rule ${positions[0]! + 1} of libvirt's ${libvirtChain}: libvirt's rejects come first.`,
          )
      }
    }
    drift.missing.push(
      ...wanted
        .filter((r) => !presentKeys.has(`${r.chain} ${commentOf(r.rule)}`))
        .map((r) => ({ table: where(r.chain), rule: r.rule })),
    )
    drift.foreign.push(
      ...present
        .filter((r) => !wantedKeys.has(`${r.chain} ${r.comment}`))
        .map((r) => ({
          table: where(r.chain),
          rule: `handle ${r.handle}${r.comment ? ` comment "${r.comment}"` : ''}`,
        })),
    )
  }
  return drift
}
