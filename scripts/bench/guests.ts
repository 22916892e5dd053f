// Moves of a guest's rich interface to another network on lab host B: a shut-off guest (its persistent definition)
// and a running one (live and persistent), counting what the moves lost by comparing the interface's XML tree before
// and after, as libvirt prints it. Everything but the network the source names counts: it must be 0.
import type { HostTarget } from '@/lib/ssh'
import { changeInterfaceNetwork } from '@/lib/guests/changes'
import { virshBatch } from '@/lib/libvirt/virsh'
import { interfaceByMac } from '@/lib/libvirt-xml/domain-interface'
import { parseXml } from '@/lib/xml/xml-parse'
import { createGuestBed, guestBedNames, removeGuestBed } from '@/lib/test/guest-interface-testbed'
import { lostNodes, sourceOnly } from '@/lib/test/xml-lost-nodes'
import { report } from './stats'

export async function benchGuests(host: HostTarget) {
  const bed = guestBedNames(`b${process.pid % 10000}`, 229)
  await createGuestBed(host, bed, { running: true })
  try {
    // The shut-off guest has its definition only; the running one a live XML as well.
    const guests = [
      { name: bed.off.name, mac: bed.off.mac, sides: [['--inactive']] },
      { name: bed.running.name, mac: bed.running.mac, sides: [['--inactive'], []] },
    ]
    let lost = 0
    for (const guest of guests) {
      const dumps = () =>
        virshBatch(
          host,
          guest.sides.map((flags) => ['dumpxml', '--domain', guest.name, ...flags]),
        )
      const before = await dumps()
      await changeInterfaceNetwork(host, { guest: guest.name, mac: guest.mac, network: bed.networks[1] })
      const after = await dumps()
      const tree = (domainXml: string) => {
        const nic = interfaceByMac(domainXml, guest.mac)
        return nic && parseXml(nic.xml).root
      }
      for (const [i, xml] of before.entries()) {
        const was = tree(xml)
        if (was) lost += lostNodes(was, tree(after[i]!), sourceOnly).length
      }
    }
    report('guests.move_lost_nodes', lost, 'nodes')
  } finally {
    await removeGuestBed(host, bed)
  }
}
