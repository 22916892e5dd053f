// Port forwards on lab host C (libvirt 11, libvirt's nftables backend): applying a 1,000-forward table through Virtnet
// (state file + ONE nft -f transaction) against a per-rule hook's one `nft add rule` process per rule, the same rules,
// measured in this run; and the time from the add action to its rule being live in a table that already holds 1,000.
import { performance } from 'node:perf_hooks'
import { db } from '@/lib/db/client'
import { run, sh, type HostTarget } from '@/lib/ssh'
import type { PortForward } from '@/lib/db/generated/client'
import type { HostRow } from '@/lib/hosts/store'
import { checkHealth } from '@/lib/hosts/health'
import { executePlan } from '@/lib/plan/execute'
import { addForward, tableSteps } from '@/lib/forwards/changes'
import { nftForwardRules, toRuleInput } from '@/lib/forwards/rules'
import { readStateFile } from '@/lib/forwards/read'
import { statePath } from '@/lib/forwards/hook-script'
import { createLibvirtParts, describeFixture, removeAll } from '@/lib/test/forward-lab'
import { benchForwardInput, benchForwardTable } from './forward-table'
import { report } from './stats'

const count = 1000
const classicTable = 'vnnft_classic'

/** The per-rule hook: the same rules, one nft process each, into a table of its own that is then dropped. */
function classicScript(rows: PortForward[]): string {
  const chainOf = { dnat: 'forwards', snat: 'postrouting', accept: 'guest_accept' } as const
  const lines = [
    'set -e',
    `nft add table ip ${classicTable}`,
    `nft add chain ip ${classicTable} forwards '{ type nat hook prerouting priority dstnat; policy accept; }'`,
    `nft add chain ip ${classicTable} postrouting '{ type nat hook postrouting priority srcnat; policy accept; }'`,
    `nft add chain ip ${classicTable} guest_accept '{ type filter hook forward priority filter; policy accept; }'`,
  ]
  for (const row of rows)
    for (const { chain, rule } of nftForwardRules(toRuleInput(row)))
      lines.push(`nft add rule ip ${classicTable} ${chainOf[chain]} '${rule}'`)
  return lines.join('\n')
}

const dropClassic = (host: HostTarget) =>
  run(host, sh`nft delete table ip ${classicTable} 2>/dev/null; true`, { allowFailure: true })

async function emptyTable(host: HostTarget) {
  await executePlan(host, {
    title: 'bench: empty table',
    steps: tableSteps([], [], await readStateFile(host), 'nftables'),
  })
  await run(host, sh`rm -f ${statePath}`)
}

const liveDnatRules = async (host: HostTarget) =>
  Number((await run(host, sh`nft list chain ip virtnet forwards 2>/dev/null | grep -c 'dnat to'; true`)).stdout.trim())

export async function benchNftForwards(hostRow: HostRow, host: HostTarget) {
  const f = describeFixture(process.pid, 'c')
  removeAll(f)
  await dropClassic(host)
  createLibvirtParts(f)
  try {
    const row = await db.host.update({
      where: { id: hostRow.id },
      data: { health: JSON.stringify(await checkHealth(host)), healthCheckedAt: new Date() },
    })
    const rows = benchForwardTable(f, row.id, { idPrefix: 'nftbench' })

    const t0 = performance.now()
    await executePlan(host, {
      title: 'bench: 1000 forwards (nftables)',
      steps: tableSteps(rows, [f.guestUuid], await readStateFile(host), 'nftables'),
    })
    const applyMs = performance.now() - t0
    const live = await liveDnatRules(host)
    if (live !== count) throw new Error(`expected ${count} DNAT rules, found ${live}`)

    // Add → live with 1,000 forwards already live: the action's whole work (reads, validation, state file, one nft -f
    // of 1,001 forwards) until `nft list` on the host shows the new DNAT rule.
    await db.portForward.createMany({ data: rows })
    const started = performance.now()
    const added = await addForward(row, host, benchForwardInput(f), { id: null, username: 'bench' })
    for (;;) {
      const rules = await run(host, sh`nft list chain ip virtnet forwards`, { allowFailure: true })
      if (rules.stdout.includes(`vn:${added.id}:`)) break
    }
    const addToLiveMs = performance.now() - started
    await db.portForward.deleteMany({ where: { hostId: row.id } })
    await emptyTable(host)

    const t1 = performance.now()
    await run(host, sh`sh -s`, { stdin: classicScript(rows), timeoutMs: 900_000 })
    const classicMs = performance.now() - t1
    await dropClassic(host)

    report('forwards.nft_apply1000_ms', applyMs, 'ms')
    report('forwards.nft_classic1000_ms', classicMs, 'ms')
    report('forwards.nft_speedup', classicMs / applyMs, 'x')
    report('forwards.nft_add_to_live_ms', addToLiveMs, 'ms')
  } finally {
    await db.portForward.deleteMany({ where: { hostId: hostRow.id } })
    await emptyTable(host).catch(() => undefined)
    await dropClassic(host)
    removeAll(f)
  }
}
