import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { previewOf } from '@/lib/plan/dry-run'
import { assignVf, createPool, deletePool, releaseVf } from '@/lib/sriov/changes'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { expectUndoAtEveryStep } from '@/lib/test/undo-harness'

/*
 * The undo of real SR-IOV plans on lab hosts B (libvirt 9) and C (libvirt 11). Neither has SR-IOV hardware: as in sriov.itest.ts, a hostdev pool is
 * defined over a veth standing in for the physical function (one of this test's own, so no other test's pool holds
 * it), and a stopped guest gets the pool's interface in its saved config. Each plan comes from the capability's own
 * code (previewOf) and runs with a failure injected at each step; the pool and the guest, read inside the host, end as they
 * began. (A VF count change needs a real PF's sysfs, which the lab does not have.)
 */

const tag = process.pid % 200
const pf = `vnus${tag}a`
const pool = `vnu-pool${tag}`
const guest = `vnu-sriov${tag}-g`
const mac = `52:54:00:12:${tag.toString(16).padStart(2, '0')}:01`
const guestXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices/></domain>`

describe.each(libvirtLabHosts)(
  'the undo of SR-IOV plans on $name (a veth stands in for the physical function)',
  (lab) => {
    let host: Awaited<ReturnType<typeof registeredLabHost>>
    const inHost = lab.exec

    const snapshot = () => ({
      pool: inHost(`virsh -q net-info ${pool} 2>/dev/null || echo '(no pool)'`),
      poolXml: inHost(`virsh -q net-dumpxml ${pool} --inactive 2>/dev/null || echo '(no pool)'`),
      autostartLink: inHost(`ls /etc/libvirt/qemu/networks/autostart/ 2>/dev/null | grep -x ${pool}.xml || true`),
      guest: inHost(`virsh dumpxml ${guest} --inactive`),
    })

    const removePool = () =>
      inHost(`virsh -q net-destroy ${pool} >/dev/null 2>&1; virsh -q net-undefine ${pool} >/dev/null 2>&1; true`)

    /** The stopped guest, defined anew without the pool's interface. */
    const freshGuest = () =>
      inHost(
        `virsh -q undefine ${guest} >/dev/null 2>&1; virsh -q define /dev/stdin >/dev/null <<'EOF'\n${guestXml}\nEOF`,
      )

    /** Each test starts from a state of its own making: the pool (autostarted) and the guest without its interface. */
    async function freshPool() {
      removePool()
      freshGuest()
      await createPool(host.target, { name: pool, pf, autostart: true })
    }

    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      inHost(`ip link del ${pf} 2>/dev/null; ip link add ${pf} type veth peer name vnus${tag}b`)
    })
    afterAll(() => {
      removePool()
      inHost(`virsh -q undefine ${guest} >/dev/null 2>&1; ip link del ${pf} 2>/dev/null; true`)
    })

    it('creating a pool (define, autostart): undone at every step', async () => {
      removePool()
      freshGuest()
      const plan = await previewOf(() => createPool(host.target, { name: pool, pf, autostart: true }))
      expect(snapshot().pool).toBe('(no pool)\n')
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 2, withoutUndo: [] })
    })

    it("assigning a stopped guest to the pool, then releasing it: each undone, the guest's config as it was", async () => {
      await freshPool()
      const assign = await previewOf(() => assignVf(host.target, { guest, target: `pool:${pool}`, mac, vlan: 42 }))
      expect(await expectUndoAtEveryStep(host.target, assign, snapshot)).toEqual({ scenarios: 1, withoutUndo: [] })

      await assignVf(host.target, { guest, target: `pool:${pool}`, mac, vlan: 42 })
      expect(snapshot().guest).toContain(`<source network='${pool}'/>`)
      const release = await previewOf(() => releaseVf(host.target, guest, mac))
      expect(await expectUndoAtEveryStep(host.target, release, snapshot)).toEqual({ scenarios: 1, withoutUndo: [] })
    })

    it('deleting an autostarted pool (autostart off, undefine): undone, defined and autostarted again', async () => {
      await freshPool()
      const plan = await previewOf(() => deletePool(host.target, pool))
      expect(snapshot().pool).toMatch(/Autostart:\s+yes/)
      expect(await expectUndoAtEveryStep(host.target, plan, snapshot)).toEqual({ scenarios: 2, withoutUndo: [] })
    })
  },
)
