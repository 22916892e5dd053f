import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'
import { buildNatNetworkXml } from '@/lib/libvirt-xml/network-build'

/*
 * A private network with tiny running guests on a lab host, for the integration test, the benchmark and the e2e
 * test of restart-class edits (they must never restart the shared `default` networks). Guests follow the lab's
 * style (scripts/lab/lab.sh): 32 MiB, no disk, TCG, PXE boot.
 */

export type Testbed = { network: string; bridge: string; guests: string[]; subnet: string; macs: string[] }

function guestXml(name: string, network: string, mac: string): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices>
    <interface type='network'>
      <source network='${network}'/>
      <mac address='${mac}'/>
      <model type='virtio'/>
    </interface>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>
`
}

/** `tag` keeps names unique per process (letters/digits, ≤ 8 chars); `octet` picks the 10.<octet>.x.0/24 subnet. */
export function testbedNames(tag: string, octet: number, guestCount: number): Testbed {
  return {
    network: `ne-${tag}`,
    bridge: `vne${tag}`.slice(0, 15),
    guests: Array.from({ length: guestCount }, (_, i) => `ne-${tag}-g${i}`),
    subnet: `10.${octet}.7.0/24`,
    macs: Array.from(
      { length: guestCount },
      (_, i) => `52:54:00:7e:${octet.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`,
    ),
  }
}

export async function createTestbed(host: HostTarget, bed: Testbed): Promise<void> {
  await removeTestbed(host, bed)
  const xml = buildNatNetworkXml({ name: bed.network, bridge: bed.bridge, ipv4Cidr: bed.subnet })
  await run(host, virsh('net-define', '--file', '/dev/stdin'), { stdin: xml })
  await run(host, virsh('net-start', '--network', bed.network))
  for (const [i, guest] of bed.guests.entries()) {
    await run(host, virsh('define', '--file', '/dev/stdin'), { stdin: guestXml(guest, bed.network, bed.macs[i]!) })
  }
  // Guests start in parallel: each QEMU start takes a second or two under TCG.
  await Promise.all(bed.guests.map((guest) => run(host, virsh('start', '--domain', guest), { timeoutMs: 60_000 })))
}

export async function removeTestbed(host: HostTarget, bed: Testbed): Promise<void> {
  await virshBatch(
    host,
    [
      ...bed.guests.flatMap((guest) => [
        ['destroy', '--domain', guest],
        ['undefine', '--domain', guest],
      ]),
      ['net-destroy', '--network', bed.network],
      ['net-undefine', '--network', bed.network],
    ],
    { timeoutMs: 60_000 },
  )
  await run(host, sh`true`)
}
