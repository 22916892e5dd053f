import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { run } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { attachGuest, createBridgeNetwork } from '@/lib/bridges/changes'

/*
 * Guests on bridges, on lab hosts B (libvirt 9) and C (libvirt 11): a host bridge of this test's own (a plain Linux
 * bridge made through the lab, as an operator's existing br0 would be), a bridge-mode network over it, and two tiny
 * guests, one running and one shut off. Each attach is checked on the host: the guest's saved config, and for the
 * running guest its tap's master.
 */

const guestXml = (name: string) =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><features><acpi/></features><devices><graphics type='vnc' autoport='yes' listen='127.0.0.1'/></devices></domain>`

describe.each(libvirtLabHosts)(
  'attaching guests to a bridge-mode network and to a host bridge ($name, libvirt $libvirt)',
  (lab) => {
    const n = process.pid % 100000
    const letter = lab.name.slice(-1)
    const bridge = `vng${letter}br${n}`
    const network = `vng-brnet-${letter}${n}`
    const running = `vng-br-${letter}${n}-run`
    const stopped = `vng-br-${letter}${n}-off`
    let host: Awaited<ReturnType<typeof registeredLabHost>>
    const inHost = lab.exec
    const onHost = (script: string) => inHost(`${script} 2>&1 || true`)

    /** `virsh domiflist` rows of a guest (live for a running one, or `--inactive`): type, source, tap. */
    function nics(guest: string, inactive = false) {
      return inHost(`virsh -q domiflist ${guest} ${inactive ? '--inactive' : ''}`)
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => {
          const [tap, type, source] = line.trim().split(/\s+/)
          return { tap, type, source }
        })
    }
    const masterOf = (tap: string) => inHost(`basename "$(readlink /sys/class/net/${tap}/master)"`).trim()

    function cleanUp() {
      for (const guest of [running, stopped]) onHost(`virsh -q destroy ${guest}; virsh -q undefine ${guest}`)
      onHost(`virsh -q net-destroy ${network}; virsh -q net-undefine ${network}; ip link del ${bridge}`)
    }

    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      cleanUp()
      inHost(`ip link add ${bridge} type bridge && ip link set ${bridge} up`)
      for (const guest of [running, stopped])
        await run(host.target, virsh('define', '--file', '/dev/stdin'), { stdin: guestXml(guest) })
      await run(host.target, virsh('start', '--domain', running), { timeoutMs: 60_000 })
      await createBridgeNetwork(host.target, { name: network, bridge, autostart: false, start: true })
    })
    afterAll(() => cleanUp())

    it('plugs a running guest into the bridge-mode network: live and in its config, its tap a port of the bridge', async () => {
      await attachGuest(host.target, { guest: running, target: `network:${network}` })
      // live, libvirt shows the interface as what the network made of it: a bridge interface
      const live = nics(running).filter((nic) => nic.source === network)
      expect(live).toEqual([{ tap: expect.stringMatching(/^vnet\d+$/), type: 'bridge', source: network }])
      expect(masterOf(live[0]!.tap!)).toBe(bridge)
      expect(nics(running, true).filter((nic) => nic.source === network)).toEqual([
        { tap: '-', type: 'network', source: network },
      ])
      expect(inHost(`virsh net-dumpxml ${network}`)).toContain("connections='1'")
    })

    it('plugs a running guest straight into the host bridge (<interface type=bridge>)', async () => {
      await attachGuest(host.target, { guest: running, target: `bridge:${bridge}` })
      const live = nics(running).filter((nic) => nic.source === bridge)
      expect(live).toEqual([{ tap: expect.stringMatching(/^vnet\d+$/), type: 'bridge', source: bridge }])
      expect(masterOf(live[0]!.tap!)).toBe(bridge)
      expect(nics(running, true).filter((nic) => nic.source === bridge)).toEqual([
        { tap: '-', type: 'bridge', source: bridge },
      ])
    })

    it('puts a shut-off guest on the network in its saved config only, for its next start', async () => {
      await attachGuest(host.target, { guest: stopped, target: `network:${network}` })
      expect(inHost(`virsh -q domstate ${stopped}`).trim()).toBe('shut off')
      expect(nics(stopped, true)).toEqual([{ tap: '-', type: 'network', source: network }])
    })

    it('refuses what the form does not offer (a NAT network, a libvirt NAT bridge, an unknown guest), changing nothing', async () => {
      const before = inHost(`virsh dumpxml --inactive ${stopped}`)
      const attempts = [
        { guest: stopped, target: 'network:default' },
        { guest: stopped, target: 'bridge:virbr0' },
        { guest: `${stopped}-nope`, target: `network:${network}` },
        { guest: stopped, target: `bridge:${bridge}-nope` },
      ]
      for (const attempt of attempts)
        await expect(attachGuest(host.target, attempt)).rejects.toBeInstanceOf(FieldErrors)
      await expect(attachGuest(host.target, attempts[0]!)).rejects.toMatchObject({
        errors: { target: ['default is not a bridge-mode network; attach guests to it on the Guests tab.'] },
      })
      await expect(attachGuest(host.target, attempts[1]!)).rejects.toMatchObject({
        errors: { target: ['virbr0 belongs to libvirt network default (NAT-only); attach to that network instead.'] },
      })
      expect(inHost(`virsh dumpxml --inactive ${stopped}`)).toBe(before)
    })
  },
)
