import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { listGuests } from '@/lib/guests/read'
import { attachInterface, changeInterfaceNetwork, detachInterface } from '@/lib/guests/changes'
import { previewOf } from '@/lib/plan/dry-run'

describe.each(libvirtLabHosts)('on $name (libvirt $libvirt)', (lab) => {
  const id = process.pid % 10000
  const netA = `gnA-${id}`
  const netB = `gnB-${id}`
  const guest = `gguest-${id}`
  const mac = '52:54:00:9e:00:01'
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  /** Host B's own view: a failing command fails the test, so a negative check cannot pass on an error message. */
  const onB = (script: string) => lab.exec(script)
  /** Cleanup only, where the thing may already be gone. */
  const sh = (script: string) => lab.exec(`${script} 2>&1 || true`)
  const network = (name: string, bridge: string, third: number) =>
    `<network><name>${name}</name><bridge name='${bridge}'/><forward mode='nat'/><ip address='10.235.${third}.1' netmask='255.255.255.0'><dhcp><range start='10.235.${third}.10' end='10.235.${third}.99'/></dhcp></ip></network>`
  const masterOf = (tap: string) => onB(`basename "$(readlink /sys/class/net/${tap}/master)"`).trim()
  const domain = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><features><acpi/></features><devices><interface type='network'><source network='${netA}'/><mac address='${mac}'/><model type='virtio'/></interface></devices></domain>`

  /**
   * The guest as every test starts (the suite runs shuffled, and tests move, add and remove its interfaces): defined
   * afresh and running, with its one interface on netA.
   */
  function freshGuest() {
    sh(`virsh -q destroy ${guest}; virsh -q undefine ${guest}`)
    lab.exec(
      `printf '%s' "${domain}" > /tmp/${guest}.xml && virsh -q define /tmp/${guest}.xml && virsh -q start ${guest}; rm -f /tmp/${guest}.xml`,
    )
    expect(onB(`virsh -q domiflist ${guest} --inactive`).trim().split('\n')).toHaveLength(1)
  }

  describe('guest interfaces', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      for (const [file, xml] of [
        [`/tmp/${netA}.xml`, network(netA, `vbga${id}`, 1)],
        [`/tmp/${netB}.xml`, network(netB, `vbgb${id}`, 2)],
      ] as const)
        lab.exec(`printf '%s' "${xml}" > ${file}`)
      lab.exec(
        `virsh -q net-define /tmp/${netA}.xml && virsh -q net-start ${netA} && virsh -q net-define /tmp/${netB}.xml && virsh -q net-start ${netB}; rm -f /tmp/${netA}.xml /tmp/${netB}.xml`,
      )
    })
    afterAll(() => {
      sh(
        `virsh destroy ${guest}; virsh undefine ${guest}; for n in ${netA} ${netB}; do virsh net-destroy $n; virsh net-undefine $n; done`,
      )
    })

    it('lists the guest with its interface, tap and source', async () => {
      freshGuest()
      const g = (await listGuests(host.target)).find((x) => x.name === guest)
      expect(g).toMatchObject({
        state: 'running',
        persistent: true,
        interfaces: [{ type: 'network', source: netA, mac, model: 'virtio', tap: expect.stringMatching(/^vnet\d+$/) }],
      })
    })

    it('previews an attach with a generated 52:54:00 MAC, attaches with that MAC live and persistent, then detaches it', async () => {
      freshGuest()
      const plan = await previewOf(() =>
        attachInterface(host.target, { guest, type: 'network', source: netB, model: 'virtio' }),
      )
      const chosen = plan.chosen?.mac ?? ''
      expect(chosen).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/)
      expect(String(plan.steps[0]!.command)).toContain(chosen)
      expect(onB(`virsh -q domiflist ${guest} --inactive`)).not.toContain(chosen)
      // The form gets the chosen MAC back from the preview, so the run that follows attaches exactly what was shown.
      const added = await attachInterface(host.target, {
        guest,
        type: 'network',
        source: netB,
        model: 'virtio',
        mac: chosen,
      })
      expect(added).toBe(chosen)
      expect(onB(`virsh -q domiflist ${guest}`)).toContain(added)
      expect(onB(`virsh -q domiflist ${guest} --inactive`)).toContain(added)
      const tap = (await listGuests(host.target))
        .find((x) => x.name === guest)!
        .interfaces.find((n) => n.mac === added)!.tap!
      expect(masterOf(tap)).toBe(`vbgb${id}`)
      const { pendingLive } = await detachInterface(host.target, { guest, mac: added })
      expect(onB(`virsh -q domiflist ${guest} --inactive`)).not.toContain(added)
      // This disk-less guest has no OS to acknowledge an ACPI unplug: the live removal stays pending, and is reported so.
      expect(pendingLive).toBe(onB(`virsh -q domiflist ${guest}`).includes(added))
    })

    it('refuses a MAC another guest uses and a bad MAC, changing nothing', async () => {
      freshGuest()
      await expect(
        attachInterface(host.target, { guest, type: 'network', source: netB, model: 'virtio', mac: lab.mac }),
      ).rejects.toMatchObject({ errors: { mac: [`${lab.mac} is already used by guest ${lab.guest}.`] } })
      await expect(
        attachInterface(host.target, { guest, type: 'bridge', source: 'nosuchbr0', model: 'virtio' }),
      ).rejects.toBeInstanceOf(FieldErrors)
      expect(onB(`virsh -q domiflist ${guest} --inactive`).trim().split('\n')).toHaveLength(1)
    })

    it("moves the interface to another network live: its tap moves to that network's bridge", async () => {
      freshGuest()
      const tap = (await listGuests(host.target)).find((x) => x.name === guest)!.interfaces[0]!.tap!
      expect(masterOf(tap)).toBe(`vbga${id}`)
      await changeInterfaceNetwork(host.target, { guest, mac, network: netB })
      const after = (await listGuests(host.target)).find((x) => x.name === guest)!.interfaces[0]!
      expect(after.source).toBe(netB)
      expect(masterOf(after.tap!)).toBe(`vbgb${id}`)
      expect(onB(`virsh -q domiflist ${guest} --inactive`)).toContain(netB)
    })
  })
})
