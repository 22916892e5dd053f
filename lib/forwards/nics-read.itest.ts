import { beforeAll, describe, expect, it } from 'vitest'
import { measurePhases } from '@/lib/core/phases'
import { readForwardableNics } from '@/lib/forwards/read'
import { inHostB, registeredLabHost } from '@/lib/test/lab'

// What the forward form and the add action read of the host's guests: one round trip (lib/libvirt/inventory.ts).

let host: Awaited<ReturnType<typeof registeredLabHost>>

describe("the guests' NICs on lab host B", () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-b')
  })

  it("reads the guests' NICs, their leases and the running guests in the same single round trip", async () => {
    const { value, phases } = await measurePhases(() => readForwardableNics(host.target))
    expect([...phases.entries()].map(([name, total]) => [name, total.count])).toEqual([['ssh_virsh_inventory', 1]])
    const labGuest = value.nics.find((nic) => nic.guestName === 'vnlab-b1' && nic.network === 'default')
    expect(labGuest).toMatchObject({ running: true, bridge: 'virbr0', subnet: '192.168.122.0/24' })
    expect(value.running).toContain(labGuest!.guestUuid)
    const leased = inHostB(`virsh -q net-dhcp-leases default --mac ${labGuest!.mac}`)
    expect(leased).toContain(labGuest!.leaseIp ?? 'a lease')
  })
})
