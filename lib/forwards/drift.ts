import 'server-only'
import { chains, jumps, type TableRule } from '@/lib/forwards/rules'

export type Drift = {
  /** rules Virtnet wants that the host does not have */
  missing: TableRule[]
  /** rules in Virtnet's chains that no forward explains */
  foreign: TableRule[]
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
