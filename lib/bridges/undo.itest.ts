import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewOf } from '@/lib/plan/dry-run'
import { applyBridgeSettings, createBridgeNetwork, createHostBridge } from '@/lib/bridges/changes'
import { revertDir } from '@/lib/bridges/host-bridge-scripts'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { expectUndoAtEveryStep, failureScenarios } from '@/lib/test/undo-harness'

/*
 * The undo of real bridge plans on lab hosts B (libvirt 9) and C (libvirt 11), inside each host's own namespaces: the
 * commit-confirm host bridge (over one end of a veth pair inside the host that carries no address, so the lab's SSH
 * path is never touched; persisted with ifupdown to a directory of this test's own, never /etc), a libvirt network over a host bridge, and the MSS clamping setting.
 * Each plan comes from the capability's own code (previewOf) and runs with a failure injected at each step; the host,
 * read inside it, ends as it began.
 */

const actor = { id: null, username: 'itest-undo' }

describe.each(libvirtLabHosts)('the undo of bridge plans on $name (libvirt $libvirt)', (lab) => {
  const inHost = lab.exec
  const tag = `${lab.name.slice(-1)}${process.pid % 200}`
  const nic = `vnub${tag}n`
  const peer = `vnub${tag}p`
  const bridge = `vnub${tag}br`
  const plainBridge = `vnub${tag}pb`
  const network = `vnu-brnet${tag}`
  const ifupdownDir = `/var/lib/libvirt/vnu-${tag}-network`
  const interfacesBefore = `# vnu undo test\nauto ${nic}\niface ${nic} inet manual\n`
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  const snapshot = () => ({
    links: inHost(
      `for l in ${nic} ${peer} ${bridge} ${plainBridge}; do ip -br link show dev $l 2>/dev/null | awk '{print $1, $2}'; echo "$l master $(basename "$(readlink /sys/class/net/$l/master 2>/dev/null)")"; done`,
    ),
    nicAddresses: inHost(`ip -br addr show dev ${nic}`),
    ifupdown: inHost(`cd ${ifupdownDir} && find . -type f | sort | while read f; do echo "== $f"; cat "$f"; done`),
    // the revert's log and its "rolled back" marker are its record, kept on purpose; anything else must be gone
    revertFiles: inHost(
      `ls ${revertDir} 2>/dev/null | grep -F bridge-${bridge}. | grep -Ev '\\.(log|rolled-back)$' || true`,
    ),
    mangleForward: inHost('iptables -w 10 -t mangle -S FORWARD'),
    network: inHost(`virsh -q net-info ${network} 2>/dev/null | grep -v '^UUID' || echo '(no network)'`),
  })

  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
    inHost(`ip link del ${nic} 2>/dev/null; ip link del ${bridge} 2>/dev/null; ip link del ${plainBridge} 2>/dev/null
ip link add ${nic} type veth peer name ${peer} && ip link set ${nic} up && ip link set ${peer} up
ip link add ${plainBridge} type bridge && ip link set ${plainBridge} up
rm -rf ${ifupdownDir} && mkdir -p ${ifupdownDir} && printf '${interfacesBefore.replaceAll('\n', '\\n')}' > ${ifupdownDir}/interfaces`)
  })
  afterAll(() => {
    inHost(
      `virsh -q net-destroy ${network} >/dev/null 2>&1; virsh -q net-undefine ${network} >/dev/null 2>&1; ip link del ${nic} 2>/dev/null; ip link del ${bridge} 2>/dev/null; ip link del ${plainBridge} 2>/dev/null; rm -rf ${ifupdownDir} ${revertDir}/bridge-${bridge}.*; true`,
    )
  })

  it('the commit-confirm host bridge: undone after each step, up to the confirm and the persisted files', async () => {
    const plan = await previewOf(() =>
      createHostBridge(
        host.row,
        host.target,
        actor,
        { bridge, nic, moveAddresses: false, confirmSeconds: 120 },
        { persistence: { stack: 'ifupdown', ifupdownDir } },
      ),
    )
    const labels = plan.steps.map((step) => step.label)
    expect(labels.at(-1)).toBe('Remove the change and revert scripts')
    expect(snapshot().ifupdown).toBe(`== ./interfaces\n${interfacesBefore}`)
    // The bridge itself is made by a detached script whose step has no undo: undoing the scheduled revert (revert
    // now) takes it back, and the check step only reads. So the failure goes after those too; not after the last
    // step, the clean-up that removes the revert script once the change is confirmed and persisted (nothing in the
    // job runs after it).
    const { scenarios, withoutUndo } = failureScenarios(plan, { pastStepsWithoutUndo: true })
    expect(withoutUndo).toEqual([labels[3], labels[4], labels.at(-1)])
    const lastTwo = scenarios.slice(-2).map((s) => s.name)
    expect(lastTwo).toEqual([
      `fail at step ${labels.length} of ${labels.length} (in place of "Remove the change and revert scripts")`,
      'fail after the last step ("Remove the change and revert scripts")',
    ])
    const upToCleanUp = { ...plan, steps: plan.steps.slice(0, -1) }
    expect(await expectUndoAtEveryStep(host.target, upToCleanUp, snapshot, { pastStepsWithoutUndo: true })).toEqual({
      scenarios: labels.length - 1,
      withoutUndo: [labels[3], labels[4]],
    })
  })

  it('a libvirt network over a host bridge (define, autostart, start): undone at every step', async () => {
    const plan = await previewOf(() =>
      createBridgeNetwork(host.target, { name: network, bridge: plainBridge, autostart: true, start: true }),
    )
    expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 3, withoutUndo: [] })
  })

  it('MSS clamping: undone, and a rule that was there before the plan stays', async () => {
    const rule = '-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu'
    const settingsPlan = () =>
      previewOf(() => applyBridgeSettings(host.target, { disableBridgeNetfilter: false, mssClamping: true }))
    // The host is shared: take the rule's copies out for the length of the test and put them back as found afterwards
    const copies = Number(inHost(`iptables -w 10 -t mangle -S FORWARD | grep -cxF -- '-A FORWARD ${rule}' || true`))
    inHost(`while iptables -w 10 -t mangle -D FORWARD ${rule} 2>/dev/null; do :; done`)
    try {
      const plan = await settingsPlan()
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 1, withoutUndo: [] })
      expect(snapshot().mangleForward).not.toContain(rule)

      // the rule there before: the plan has nothing to add, so nothing to undo that would delete it
      inHost(`iptables -w 10 -t mangle -A FORWARD ${rule}`)
      expect((await settingsPlan()).steps).toEqual([])
      expect(snapshot().mangleForward).toContain(rule)
    } finally {
      inHost(
        `while iptables -w 10 -t mangle -D FORWARD ${rule} 2>/dev/null; do :; done; for i in $(seq ${copies}); do iptables -w 10 -t mangle -A FORWARD ${rule}; done`,
      )
    }
  })
})
