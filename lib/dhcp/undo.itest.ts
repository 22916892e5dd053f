import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { previewOf } from '@/lib/plan/dry-run'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { run } from '@/lib/ssh'
import { reapplyDesired, saveMapping } from '@/lib/dhcp/changes'
import { readNetworkDhcpState } from '@/lib/dhcp/host-state'
import { planDhcpChanges } from '@/lib/dhcp/plans'
import { storeDesired } from '@/lib/dhcp/store'
import { entryKey, type DhcpEntry } from '@/lib/dhcp/entries'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { expectUndoAtEveryStep, failureScenarios } from '@/lib/test/undo-harness'

/*
 * The undo of real static-DHCP plans on lab hosts B (libvirt 9) and C (libvirt 11), on networks of this test's own: the
 * net-update path (one step per change, live and/or persistent), the bulk path (persistent definition, then the live
 * status file and a reload of the network driver) and the bulk step's own exits, each caused for real: the reload lock
 * held inside the host, and the status file changed by libvirt between Virtnet's read and its write. The host is
 * re-read inside it each time.
 */

const root = path.resolve(import.meta.dirname, '../..')
const tag = process.pid % 200
const single = { name: `vnu-dhs${tag}`, bridge: `vnudhs${tag}`, prefix: `10.218.${tag}` }
const bulk = { name: `vnu-dhb${tag}`, bridge: `vnudhb${tag}`, prefix: `10.217.${tag}` }
const runDir = '/run/libvirt/network'

const mac = (i: number) => `52:54:00:18:${tag.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`
const entry = (prefix: string, i: number, ip = i + 10): DhcpEntry => ({
  family: 'ipv4',
  mac: mac(i),
  ip: `${prefix}.${ip}`,
  name: `u${i}`,
})
const hostXml = (e: DhcpEntry) => `<host mac='${e.mac}' name='${e.name}' ip='${e.ip}'/>`

describe.each(libvirtLabHosts)('the undo of static-DHCP plans on $name (libvirt $libvirt)', (lab) => {
  const inHost = lab.exec
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  function defineNetwork(net: { name: string; bridge: string; prefix: string }, hosts: DhcpEntry[]) {
    const xml = `<network><name>${net.name}</name><forward mode='nat'/><bridge name='${net.bridge}' stp='off'/><ip address='${net.prefix}.1' prefix='24'><dhcp><range start='${net.prefix}.100' end='${net.prefix}.200'/>${hosts.map(hostXml).join('')}</dhcp></ip></network>`
    inHost(`set -e
cat > /tmp/${net.name}.xml <<'EOF'
${xml}
EOF
virsh -q net-define /tmp/${net.name}.xml >/dev/null && virsh -q net-start ${net.name} >/dev/null; rm -f /tmp/${net.name}.xml`)
  }

  const removeNetwork = (name: string) =>
    inHost(`virsh -q net-destroy ${name} >/dev/null 2>&1; virsh -q net-undefine ${name} >/dev/null 2>&1; true`)

  /**
   * One network's DHCP state as the host has it: the live and persistent definitions and dnsmasq's hostsfile. The
   * static hosts are compared as a set: an undone delete adds the host back with net-update's add-last, at the end of
   * the list (libvirt offers add-first and add-last only), and dnsmasq does not care about their order.
   */
  function dhcpSnapshot(name: string) {
    const hostsLast = (text: string) => {
      const lines = text.split('\n').map((line) => line.trim())
      const hosts = lines.filter((line) => line.startsWith('<host ')).sort()
      return [...lines.filter((line) => !line.startsWith('<host ')), ...hosts]
    }
    return {
      live: hostsLast(inHost(`virsh net-dumpxml ${name}`)),
      persistent: hostsLast(inHost(`virsh net-dumpxml ${name} --inactive`)),
      hostsfile: inHost(`cat /var/lib/libvirt/dnsmasq/${name}.hostsfile`).split('\n').sort(),
      // no status file of another network left aside by the bulk step
      setAside: inHost(`ls -A ${runDir} | grep virtnet-held || true`),
    }
  }

  describe('each plan', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      for (const net of [single, bulk]) removeNetwork(net.name)
    })
    afterAll(async () => {
      for (const net of [single, bulk]) removeNetwork(net.name)
      await db.dhcpMapping.deleteMany({ where: { hostId: host.row.id, network: { in: [single.name, bulk.name] } } })
    })

    it('net-update: deletes, modifies and adds, live and persistent or one side only, each undone at every step', async () => {
      const [a, b] = [entry(single.prefix, 1), entry(single.prefix, 2)]
      removeNetwork(single.name)
      defineNetwork(single, [a, b])
      // a persistent-only host, as a change made with --config alone leaves it
      const f = entry(single.prefix, 6)
      inHost(`virsh -q net-update ${single.name} add ip-dhcp-host "${hostXml(f)}" --config >/dev/null`)
      const state = await readNetworkDhcpState(host.target, single.name)
      const moved = { ...a, ip: `${single.prefix}.21` }
      const added = entry(single.prefix, 4)
      const { plan, mode } = planDhcpChanges(state, [moved, f, added], [entryKey(b)], { strategy: 'net-update' })
      expect(mode).toBe('net-update')
      expect(plan.steps.map((step) => step.label)).toEqual([
        expect.stringMatching(/live and persistent\)$/),
        expect.stringMatching(/live and persistent\)$/),
        expect.stringMatching(/live only\)$/),
        expect.stringMatching(/live and persistent\)$/),
      ])
      const result = await expectUndoAtEveryStep(host.target, plan, () => dhcpSnapshot(single.name))
      expect(result).toEqual({ scenarios: 4, withoutUndo: [] })

      // Each step's probe (what a restart's re-read asks of a step it cut short) says "not in effect" on the host as it
      // began, and "in effect" once the plan ran.
      const probes = async () =>
        Promise.all(
          plan.steps.map(async (step) => (await run(host.target, step.probe!, { allowFailure: true })).exitCode),
        )
      expect(await probes()).toEqual([1, 1, 1, 1])
      await executePlan(host.target, plan)
      expect(await probes()).toEqual([0, 0, 0, 0])
    })

    it("a new mapping through the form's own path (saveMapping): its one step undone", async () => {
      removeNetwork(single.name)
      defineNetwork(single, [entry(single.prefix, 1)])
      const plan = await previewOf(() =>
        saveMapping(host.row, host.target, single.name, { mac: mac(9), ip: `${single.prefix}.39`, name: 'u9' }),
      )
      expect(plan.steps).toHaveLength(1)
      expect((await expectUndoAtEveryStep(host.target, plan, () => dhcpSnapshot(single.name))).scenarios).toBe(1)
    })

    describe('the bulk path', () => {
      const desired = Array.from({ length: 12 }, (_, i) => entry(bulk.prefix, i + 1))
      const bulkPlan = async () => {
        const plan = await previewOf(() => reapplyDesired(host.row, host.target, bulk.name, 'bulk'))
        expect(plan.steps.map((step) => step.label)).toEqual([
          expect.stringMatching(/^Define the persistent configuration of .* with 12 changes/),
          expect.stringMatching(/^Load the live definition of .* network driver reload/),
        ])
        return plan
      }
      const bulkSnapshot = () => ({
        ...dhcpSnapshot(bulk.name),
        statusFile: inHost(`sha256sum < ${runDir}/${bulk.name}.xml`),
      })

      beforeAll(async () => {
        defineNetwork(bulk, [])
        await storeDesired(host.row.id, bulk.name, desired)
      })

      it('a failure in place of the live step takes the persistent definition back', async () => {
        const plan = await bulkPlan()
        expect(failureScenarios(plan).withoutUndo).toEqual([plan.steps[1]!.label])
        expect((await expectUndoAtEveryStep(host.target, plan, bulkSnapshot)).scenarios).toBe(1)
      })

      it('the lock exit: another reload holds the lock inside the host; nothing is written and the definition goes back', async () => {
        const plan = await bulkPlan()
        const lock = `${runDir}/.virtnet-reload.lock`
        const holderPid = `/tmp/vnu-lock-holder-${process.pid}.pid`
        // the holder runs inside the host's namespaces for longer than the step waits for the lock (60 s)
        const holder = spawn(
          'bash',
          [
            path.join(root, 'scripts/lab/lab.sh'),
            lab.labExec,
            '--',
            'flock',
            lock,
            'sh',
            '-c',
            `echo $$ > ${holderPid}; exec sleep 90`,
          ],
          { stdio: 'ignore' },
        )
        try {
          await until('the lock to be held inside the host', () =>
            inHost(`test -s ${holderPid} && ! flock -n ${lock} true && echo held || echo free`).includes('held'),
          )
          const before = bulkSnapshot()
          const failure = await executePlan(host.target, plan).catch((error: unknown) => error)
          expect(failure).toBeInstanceOf(PlanFailedError)
          const { outcomes, message } = failure as PlanFailedError
          expect(outcomes.map((o) => [o.status, o.exitCode])).toEqual([
            ['undone', 0],
            ['failed', 5],
          ])
          expect(message).toContain('Another reload of the libvirt network driver is under way; nothing was written')
          expect(message).toContain(`Rolled back: ${plan.steps[0]!.label}.`)
          expect(bulkSnapshot()).toEqual(before)
        } finally {
          inHost(`kill $(cat ${holderPid}) 2>/dev/null; rm -f ${holderPid}; true`)
          await new Promise((resolve) => (holder.exitCode === null ? holder.once('exit', resolve) : resolve(null)))
        }
      }, 150_000)

      it('the checksum exit: libvirt rewrote the status file after Virtnet read it; nothing is written and the definition goes back', async () => {
        const plan = await bulkPlan()
        // another change, live only, between the plan's read of the status file and its write
        const racer = entry(bulk.prefix, 40)
        inHost(`virsh -q net-update ${bulk.name} add ip-dhcp-host "${hostXml(racer)}" --live >/dev/null`)
        try {
          const before = bulkSnapshot()
          expect(before.live).toContain(hostXml(racer))
          const failure = await executePlan(host.target, plan).catch((error: unknown) => error)
          expect(failure).toBeInstanceOf(PlanFailedError)
          const { outcomes, message } = failure as PlanFailedError
          expect(outcomes.map((o) => [o.status, o.exitCode])).toEqual([
            ['undone', 0],
            ['failed', 3],
          ])
          expect(message).toContain(
            `Libvirt changed ${runDir}/${bulk.name}.xml since Virtnet read it; nothing was written`,
          )
          expect(message).toContain(`Rolled back: ${plan.steps[0]!.label}.`)
          expect(bulkSnapshot()).toEqual(before)
        } finally {
          inHost(`virsh -q net-update ${bulk.name} delete ip-dhcp-host "<host mac='${racer.mac}'/>" --live >/dev/null`)
        }
      })
    })
  })
})

async function until(what: string, check: () => boolean) {
  for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 100)))
    if (check()) return
  throw new Error(`gave up waiting for ${what}`)
}
