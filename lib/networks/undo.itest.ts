import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewOf } from '@/lib/plan/dry-run'
import {
  createNatNetwork,
  setNetworkAutostart,
  startNetwork,
  stopNetwork,
  undefineNetwork,
} from '@/lib/networks/changes'
import { inHostB, registeredLabHost } from '@/lib/test/lab'
import { expectUndoAtEveryStep } from '@/lib/test/undo-harness'

/*
 * The undo of real network plans on lab host B, on a network of this test's own: each plan comes from the
 * capability's own code (previewOf), then runs with a failure injected at each step; the network, read inside B
 * (its state, its persistent XML, its autostart link and its bridge), ends as it began.
 */

const tag = process.pid % 200
const name = `vnu-net${tag}`
const cidr = `10.216.${tag}.0/24`
// a bridge name of its own, so no network another test defines meanwhile takes the one libvirt would pick
const bridge = `vnunet${tag}`
let host: Awaited<ReturnType<typeof registeredLabHost>>

const snapshot = () => ({
  info: inHostB(`virsh -q net-info ${name} 2>&1 | grep -v '^Bridge' || true`),
  persistent: inHostB(`virsh -q net-dumpxml ${name} --inactive 2>/dev/null || echo '(not defined)'`),
  autostartLink: inHostB(`ls /etc/libvirt/qemu/networks/autostart/ 2>/dev/null | grep -x ${name}.xml || true`),
  // the bridge link exists while the network runs (libvirt's dnsmasq goes with it, asynchronously: not compared)
  bridge: inHostB(`ip -br link show dev ${bridge} 2>/dev/null | awk '{print $1}' || true`),
})

const removeNetwork = () =>
  inHostB(`virsh -q net-destroy ${name} >/dev/null 2>&1; virsh -q net-undefine ${name} >/dev/null 2>&1; true`)

/** Each test starts from a network of its own making, whatever ran before it. */
async function freshNetwork(options: { autostart: boolean; start: boolean }) {
  removeNetwork()
  await createNatNetwork(host.row, host.target, { name, bridge, ipv4Cidr: cidr, ...options })
}

describe('the undo of network plans on lab host B', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-b')
    removeNetwork()
  })
  afterAll(removeNetwork)

  it('creating a NAT network (define, autostart, start): every step undone, nothing of it left', async () => {
    removeNetwork()
    const plan = await previewOf(() =>
      createNatNetwork(host.row, host.target, { name, bridge, ipv4Cidr: cidr, autostart: true, start: true }),
    )
    const before = snapshot()
    expect(before.persistent).toBe('(not defined)\n')
    expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 3, withoutUndo: [] })
  })

  it('starting, autostarting and stopping it: each undone', async () => {
    await freshNetwork({ autostart: false, start: false })
    const start = await previewOf(() => startNetwork(host.row, host.target, name))
    expect((await expectUndoAtEveryStep(host.target, start, snapshot)).scenarios).toBe(1)
    const autostart = await previewOf(() => setNetworkAutostart(host.row, host.target, name, true))
    expect((await expectUndoAtEveryStep(host.target, autostart, snapshot)).scenarios).toBe(1)

    await startNetwork(host.row, host.target, name)
    const stop = await previewOf(() => stopNetwork(host.row, host.target, name))
    expect(snapshot().info).toMatch(/Active:\s+yes/)
    expect((await expectUndoAtEveryStep(host.target, stop, snapshot)).scenarios).toBe(1)
  })

  it('undefining a running autostart network (stop, autostart off, undefine): undone, it is defined, running and autostarted again', async () => {
    await freshNetwork({ autostart: true, start: true })
    const plan = await previewOf(() => undefineNetwork(host.row, host.target, name, name))
    const before = snapshot()
    expect(before.info).toMatch(/Active:\s+yes[\s\S]*Autostart:\s+yes/)
    // stop, autostart off (net-undefine drops it, and the saved XML does not carry it), undefine
    expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 3, withoutUndo: [] })
  })
})
