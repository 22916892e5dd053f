import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewOf } from '@/lib/plan/dry-run'
import {
  createNatNetwork,
  setNetworkAutostart,
  startNetwork,
  stopNetwork,
  undefineNetwork,
} from '@/lib/networks/changes'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { expectUndoAtEveryStep } from '@/lib/test/undo-harness'

/*
 * The undo of real network plans on lab hosts B (libvirt 9) and C (libvirt 11), on a network of this test's own: each
 * plan comes from the capability's own code (previewOf), then runs with a failure injected at each step; the network,
 * read inside the host (its state, its persistent XML, its autostart link and its bridge), ends as it began.
 */

const tag = process.pid % 200

describe.each(libvirtLabHosts)('the undo of network plans on $name (libvirt $libvirt)', (lab) => {
  const inHost = lab.exec
  const name = `vnu-net${lab.name.slice(-1)}${tag}`
  const cidr = `10.216.${tag}.0/24`
  // a bridge name of its own, so no network another test defines meanwhile takes the one libvirt would pick
  const bridge = `vnunet${tag}`
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  const snapshot = () => ({
    info: inHost(`virsh -q net-info ${name} 2>&1 | grep -v '^Bridge' || true`),
    persistent: inHost(`virsh -q net-dumpxml ${name} --inactive 2>/dev/null || echo '(not defined)'`),
    autostartLink: inHost(`ls /etc/libvirt/qemu/networks/autostart/ 2>/dev/null | grep -x ${name}.xml || true`),
    // the bridge link exists while the network runs (libvirt's dnsmasq goes with it, asynchronously: not compared)
    bridge: inHost(`ip -br link show dev ${bridge} 2>/dev/null | awk '{print $1}' || true`),
  })

  const removeNetwork = () =>
    inHost(`virsh -q net-destroy ${name} >/dev/null 2>&1; virsh -q net-undefine ${name} >/dev/null 2>&1; true`)

  /** Each test starts from a network of its own making, whatever ran before it. */
  async function freshNetwork(options: { autostart: boolean; start: boolean }) {
    removeNetwork()
    await createNatNetwork(host.row, host.target, { name, bridge, ipv4Cidr: cidr, ...options })
  }

  describe('each plan', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
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
})
