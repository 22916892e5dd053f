import 'server-only'
import { chains, jumps, nft, type NftChain, type NftRule, type TableRule } from '@/lib/forwards/rules'

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

/** Compares the rules that should be live with `iptables -S` of the nat and filter tables. */
export function computeDrift(
  desired: TableRule[],
  actual: { nat: string[]; filter: string[] },
  hasForwards: boolean,
): Drift {
  const present: TableRule[] = (['nat', 'filter'] as const).flatMap((table) =>
    actual[table]
      .filter((line) => ours.some((chain) => line.startsWith(`-A ${chain} `)))
      .map((rule) => ({ table, rule })),
  )
  const key = (r: TableRule) => `${r.table} ${r.rule}`
  const presentKeys = new Set(present.map(key))
  const desiredKeys = new Set(desired.map(key))
  const jumpProblems: string[] = []
  for (const jump of jumps) {
    const builtIn = actual[jump.table].filter((line) => line.startsWith(`-A ${jump.chain} `))
    const target = jump.rule.split(' ').at(-1)!
    const positions = builtIn.flatMap((line, index) => (line.split(' ').at(-1) === target ? [index] : []))
    if (!hasForwards) {
      if (positions.length)
        jumpProblems.push(`${jump.chain} (${jump.table}) still jumps to ${target} although no forward is left.`)
      continue
    }
    if (positions.length === 0)
      jumpProblems.push(`${jump.chain} (${jump.table}) has no jump to ${target}: no forward works.`)
    else if (positions.length > 1)
      jumpProblems.push(`${jump.chain} (${jump.table}) jumps to ${target} ${positions.length} times.`)
    else if (positions[0] !== 0)
      jumpProblems.push(
        `The jump to ${target} is rule ${positions[0]! + 1} of ${jump.chain} (${jump.table}), behind ${builtIn[0]}: libvirt's rules come first.`,
      )
  }
  return {
    missing: desired.filter((r) => !presentKeys.has(key(r))),
    foreign: present.filter((r) => !desiredKeys.has(key(r))),
    jumpProblems,
  }
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
 * iptables jump checks: Virtnet's base chains jump to its forwards chain, and its jump is first in guest_input.
 */
export function computeNftDrift(desired: NftRule[], ruleset: NftRuleset, hasForwards: boolean): Drift {
  const items = ruleset.nftables ?? []
  const rules = items.flatMap((i) => (i.rule && i.rule.family === 'ip' ? [i.rule] : []))
  const wantedKeys = new Set(desired.map((r) => `${r.chain} ${commentOf(r.rule)}`))
  const present = (Object.entries(nftPlace) as Array<[NftChain, { table: string; chain: string }]>).flatMap(
    ([chain, place]) =>
      rules
        .filter((r) => r.table === place.table && r.chain === place.chain)
        .map((r) => ({ chain, comment: r.comment ?? '', handle: r.handle })),
  )
  const presentKeys = new Set(present.map((r) => `${r.chain} ${r.comment}`))
  const where = (chain: NftChain) => `${nftPlace[chain].table} ${nftPlace[chain].chain}`
  const jumpProblems: string[] = []
  const ours = items.some((i) => i.table?.family === 'ip' && i.table.name === nft.table)
  const guestInput = rules.filter((r) => r.table === nft.libvirtTable && r.chain === nft.libvirtChain)
  const positions = guestInput.flatMap((r, index) => (jumpsTo(r, nft.acceptChain) ? [index] : []))
  if (!hasForwards) {
    if (ours) jumpProblems.push(`The table ip ${nft.table} is still there although no forward is left.`)
    if (positions.length)
      jumpProblems.push(`${nft.libvirtChain} still jumps to ${nft.acceptChain} although no forward is left.`)
  } else {
    for (const hook of ['prerouting', 'output']) {
      const chain = items.find((i) => i.chain?.family === 'ip' && i.chain.table === nft.table && i.chain.name === hook)
      const jumps = rules.filter((r) => r.table === nft.table && r.chain === hook && jumpsTo(r, 'forwards'))
      if (!chain?.chain?.hook || jumps.length !== 1)
        jumpProblems.push(
          `The ${hook} chain of ip ${nft.table} does not jump to its forwards chain once: no forward works.`,
        )
    }
    if (guestInput.length) {
      if (positions.length === 0)
        jumpProblems.push(
          `libvirt's ${nft.libvirtChain} has no jump to ${nft.acceptChain}: libvirt rejects every forward.`,
        )
      else if (positions.length > 1)
        jumpProblems.push(`libvirt's ${nft.libvirtChain} jumps to ${nft.acceptChain} ${positions.length} times.`)
      else if (positions[0] !== 0)
        jumpProblems.push(
          `The jump to ${nft.acceptChain} is rule ${positions[0]! + 1} of libvirt's ${nft.libvirtChain}: libvirt's rejects come first.`,
        )
    }
  }
  return {
    missing: desired
      .filter((r) => !presentKeys.has(`${r.chain} ${commentOf(r.rule)}`))
      .map((r) => ({ table: where(r.chain), rule: r.rule })),
    foreign: present
      .filter((r) => !wantedKeys.has(`${r.chain} ${r.comment}`))
      .map((r) => ({ table: where(r.chain), rule: `handle ${r.handle}${r.comment ? ` comment "${r.comment}"` : ''}` })),
    jumpProblems,
  }
}
