import { beforeAll, describe, expect, it } from 'vitest'
import { measurePhases } from '@/lib/core/phases'
import { readForwardableNics } from '@/lib/forwards/read'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'

// What the forward form and the add action read of the host's guests: one round trip (lib/libvirt/inventory.ts).

describe.each(libvirtLabHosts)("the guests' NICs on $name (libvirt $libvirt)", (lab) => {
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
  })

  it("reads the guests' NICs, their leases and the running guests in the same single round trip", async () => {
    const { value, phases } = await measurePhases(() => readForwardableNics(host.target))
    expect([...phases.entries()].map(([name, total]) => [name, total.count])).toEqual([['ssh_virsh_inventory', 1]])
    const labGuest = value.nics.find((nic) => nic.guestName === lab.guest && nic.network === 'default')
    expect(labGuest).toMatchObject({ running: true, bridge: 'virbr0', subnet: '192.168.122.0/24', mac: lab.mac })
    expect(value.running).toContain(labGuest!.guestUuid)
    const leased = lab.exec(`virsh -q net-dhcp-leases default --mac ${labGuest!.mac}`)
    expect(leased).toContain(labGuest!.leaseIp ?? 'a lease')
  })
})
