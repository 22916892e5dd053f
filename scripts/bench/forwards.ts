// Port forwards on lab host B: applying a 1,000-forward table through Virtnet (state file + ONE iptables-restore
// batch) against the classic hook's one `iptables` call per rule, the same rules, measured in this run; and the
// time from the add action to its rule being live.
import { performance } from 'node:perf_hooks'
import { db } from '@/lib/db/client'
import { run, sh, type HostTarget } from '@/lib/ssh'
import type { PortForward } from '@/lib/db/generated/client'
import type { HostRow } from '@/lib/hosts/store'
import { checkHealth } from '@/lib/hosts/health'
import { executePlan } from '@/lib/plan/execute'
import { addForward, tableSteps } from '@/lib/forwards/changes'
import { forwardRules, toRuleInput } from '@/lib/forwards/rules'
import { readStateFile } from '@/lib/forwards/read'
import { statePath } from '@/lib/forwards/hook-script'
import { createLibvirtParts, describeFixture, removeAll } from '@/lib/test/forward-lab'
import { measurePhases } from '@/lib/core/phases'
import { benchForwardInput, benchForwardTable } from './forward-table'
import { quick, report, reportPhases } from './stats'

const count = 1000

/** The classic hook: the same rules, one iptables process each, into chains of its own that are then dropped. */
function classicScript(rows: PortForward[]): string {
  const lines = [
    'set -e',
    'iptables -w -t nat -N VNCLASSIC_DNAT',
    'iptables -w -t nat -N VNCLASSIC_SNAT',
    'iptables -w -N VNCLASSIC_FWD',
  ]
  for (const row of rows) {
    for (const { table, rule } of forwardRules(toRuleInput(row))) {
      lines.push(`iptables -w -t ${table} ${rule.replace(/^-A VIRTNET_/, '-A VNCLASSIC_')}`)
    }
  }
  return lines.join('\n')
}

async function dropClassic(host: HostTarget) {
  await run(
    host,
    sh`for c in VNCLASSIC_DNAT VNCLASSIC_SNAT; do iptables -w -t nat -F $c; iptables -w -t nat -X $c; done; iptables -w -F VNCLASSIC_FWD; iptables -w -X VNCLASSIC_FWD; true`,
    { allowFailure: true },
  )
}

/**
 * The raw cost of the same host work: the same rules in one `iptables-restore --noflush` batch into chains of their
 * own, nothing else (no state file, no jumps, no guest filter). Returns the round trip and the host's own time.
 */
async function rawRestore(host: HostTarget, rows: PortForward[]): Promise<{ ms: number; hostMs: number }> {
  const byTable = { nat: [] as string[], filter: [] as string[] }
  for (const row of rows)
    for (const { table, rule } of forwardRules(toRuleInput(row)))
      byTable[table].push(rule.replace(/^-A VIRTNET_/, '-A VNCLASSIC_'))
  const input = [
    '*nat',
    ':VNCLASSIC_DNAT - [0:0]',
    ':VNCLASSIC_SNAT - [0:0]',
    ...byTable.nat,
    'COMMIT',
    '*filter',
    ':VNCLASSIC_FWD - [0:0]',
    ...byTable.filter,
    'COMMIT',
    '',
  ].join('\n')
  const t0 = performance.now()
  const { stdout } = await run(
    host,
    sh`s=$(date +%s%N); iptables-restore -w 5 --noflush; e=$(date +%s%N); echo $(( (e - s) / 1000 ))`,
    { stdin: input },
  )
  const ms = performance.now() - t0
  await dropClassic(host)
  return { ms, hostMs: Number(stdout.trim()) / 1000 }
}

async function emptyTable(host: HostTarget) {
  await executePlan(host, { title: 'bench: empty table', steps: tableSteps([], [], await readStateFile(host)) })
  await run(host, sh`rm -f ${statePath}`)
}

export async function benchForwards(hostRow: HostRow, host: HostTarget) {
  const f = describeFixture(process.pid)
  removeAll(f)
  await dropClassic(host)
  createLibvirtParts(f)
  try {
    const row = await db.host.update({
      where: { id: hostRow.id },
      data: { health: JSON.stringify(await checkHealth(host)), healthCheckedAt: new Date() },
    })

    // Add → live: the action's work for one forward, until `iptables -S` on the host shows its DNAT rule.
    const started = performance.now()
    const addMeasured = measurePhases(() =>
      addForward(row, host, benchForwardInput(f), { id: null, username: 'bench' }),
    )
    const added = (await addMeasured).value
    for (;;) {
      const rules = await run(host, sh`iptables -w -t nat -S VIRTNET_DNAT`, { allowFailure: true })
      if (rules.stdout.includes(`vn:${added.id}`)) break
    }
    report('forwards.add_to_live_ms', performance.now() - started, 'ms')
    reportPhases('forwards.add_to_live', await addMeasured)
    await db.portForward.deleteMany({ where: { hostId: row.id } })
    await emptyTable(host)

    const rows = benchForwardTable(f, row.id)
    const previous = await readStateFile(host)
    const applied = await measurePhases(() =>
      executePlan(host, { title: 'bench: 1000 forwards', steps: tableSteps(rows, [f.guestUuid], previous) }),
    )
    const applyMs = applied.ms
    const live = await run(host, sh`iptables -w -t nat -S VIRTNET_DNAT | grep -c -- '-j DNAT'`)
    if (Number(live.stdout.trim()) !== count)
      throw new Error(`expected ${count} DNAT rules, found ${live.stdout.trim()}`)
    await emptyTable(host)
    const raw = await rawRestore(host, rows)

    report('forwards.apply1000_ms', applyMs, 'ms')
    reportPhases('forwards.apply1000', applied)
    report('forwards.apply1000.raw_restore_ms', raw.ms, 'ms')
    report('forwards.apply1000.raw_restore_host_ms', raw.hostMs, 'ms')
    // The host's floor for the same rules, measured in this run: what the limit of 100 ms means on a slower machine.
    report('forwards.apply1000_over_raw', applyMs / raw.ms, 'x')
    if (quick) return
    const t1 = performance.now()
    await run(host, sh`sh -s`, { stdin: classicScript(rows), timeoutMs: 600_000 })
    const classicMs = performance.now() - t1
    await dropClassic(host)
    report('forwards.classic1000_ms', classicMs, 'ms')
    report('forwards.speedup', classicMs / applyMs, 'x')
  } finally {
    await db.portForward.deleteMany({ where: { hostId: hostRow.id } })
    await emptyTable(host).catch(() => undefined)
    await dropClassic(host)
    removeAll(f)
  }
}
