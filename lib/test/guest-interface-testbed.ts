import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { virsh, virshBatch } from '@/lib/libvirt/virsh'

/*
 * Guests whose interface carries every setting libvirt 9.0 keeps for a network interface (libvirt 11.3 keeps them
 * too), on lab host B or C, for the integration tests and the benchmark of interface moves. Guests follow the lab's style (scripts/lab/lab.sh): 32 MiB,
 * no disk, TCG. Every name carries the tag, so parallel runs never meet.
 */

export type GuestBed = {
  /** Two NAT networks with a portgroup pg1 each: where interfaces start, and where they move. */
  networks: [string, string]
  bridges: [string, string]
  /** A macvtap network over a veth of its own: a running guest's tap cannot be re-plugged into it live. */
  direct: { network: string; device: string }
  /** Persistent and shut off, with the richest interface libvirt defines. */
  off: { name: string; mac: string }
  /** Persistent and running, with every setting a running TCG guest on host B accepts. */
  running: { name: string; mac: string; hotplugMac: string }
  /** Persistent and running with a plain interface, for the move libvirt refuses live. */
  plain: { name: string; mac: string }
  subnets: [string, string]
}

/** `tag`: letters/digits, at most 5, unique per process; `octet` picks the 10.<octet>.1.0/24 and .2.0/24 subnets. */
export function guestBedNames(tag: string, octet: number): GuestBed {
  const mac = (i: number) => `52:54:00:9d:${octet.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`
  return {
    networks: [`vnd-${tag}-a`, `vnd-${tag}-b`],
    bridges: [`vnd${tag}a`, `vnd${tag}b`],
    direct: { network: `vnd-${tag}-d`, device: `vnd${tag}v` },
    off: { name: `vnd-${tag}-off`, mac: mac(1) },
    running: { name: `vnd-${tag}-run`, mac: mac(2), hotplugMac: mac(3) },
    plain: { name: `vnd-${tag}-plain`, mac: mac(4) },
    subnets: [`10.${octet}.1`, `10.${octet}.2`],
  }
}

function networkXml(name: string, bridge: string, prefix: string): string {
  return `<network>
  <name>${name}</name>
  <forward mode='nat'/>
  <bridge name='${bridge}'/>
  <portgroup name='pg1'/>
  <ip address='${prefix}.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='${prefix}.10' end='${prefix}.99'/>
    </dhcp>
  </ip>
</network>
`
}

/**
 * The settings libvirt 9.0 keeps for a network interface it defines: vlan, virtualport, bandwidth, port isolation, tap
 * name, model, driver with host and guest offloads, backend, filter, tune, link, mtu, coalesce, boot order, user
 * alias, ROM, ACPI index and a PCI address on slot 7 (what QEMU would put on slot 3 if asked to choose).
 */
export function richInterfaceXml(bed: GuestBed, mac: string, tap: string): string {
  return `<interface type='network'>
      <mac address='${mac}'/>
      <source network='${bed.networks[0]}' portgroup='pg1'/>
      <vlan trunk='yes'><tag id='42'/><tag id='48' nativeMode='untagged'/></vlan>
      <virtualport><parameters instanceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>
      <bandwidth><inbound average='1000' peak='5000' burst='1024'/><outbound average='128' peak='256' burst='256'/></bandwidth>
      <port isolated='yes'/>
      <target dev='${tap}'/>
      <model type='virtio'/>
      <driver name='qemu' queues='2' rx_queue_size='256'>
        <host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off' mrg_rxbuf='off'/>
        <guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
      </driver>
      <backend tap='/dev/net/tun' vhost='/dev/vhost-net'/>
      <filterref filter='clean-traffic'><parameter name='IP' value='${bed.subnets[0]}.50'/></filterref>
      <tune><sndbuf>1600</sndbuf></tune>
      <link state='up'/>
      <mtu size='1400'/>
      <coalesce><rx><frames max='7'/></rx></coalesce>
      <boot order='1'/>
      <alias name='ua-vnd-nic'/>
      <rom bar='off'/>
      <acpi index='3'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>`
}

/**
 * What a running TCG guest on hosts B and C (this machine's kernel) accepts of the above: not bandwidth (the namespace's kernel lacks the sfq qdisc
 * and police action), vlan or virtualport (a plain Linux bridge network), backend (no /dev/vhost-net) or a tap name.
 */
export function runnableRichInterfaceXml(bed: GuestBed, mac: string): string {
  return richInterfaceXml(bed, mac, '')
    .split('\n')
    .filter((line) => !/<(vlan|virtualport|bandwidth|backend|target)[ >]/.test(line))
    .join('\n')
}

function guestXml(name: string, interfaceXml: string): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    ${interfaceXml}
  </devices>
</domain>
`
}

export async function createGuestBed(host: HostTarget, bed: GuestBed, which: { running: boolean }): Promise<void> {
  await removeGuestBed(host, bed)
  for (const [i, network] of bed.networks.entries()) {
    await run(host, virsh('net-define', '--file', '/dev/stdin'), {
      stdin: networkXml(network, bed.bridges[i]!, bed.subnets[i]!),
    })
    await run(host, virsh('net-start', '--network', network))
  }
  await run(host, virsh('define', '--file', '/dev/stdin'), {
    stdin: guestXml(bed.off.name, richInterfaceXml(bed, bed.off.mac, `${bed.bridges[0]}t`)),
  })
  if (!which.running) return
  await run(
    host,
    sh`ip link add ${bed.direct.device} type veth peer name ${`${bed.direct.device}p`} && ip link set ${bed.direct.device} up`,
  )
  await run(host, virsh('net-define', '--file', '/dev/stdin'), {
    stdin: `<network><name>${bed.direct.network}</name><forward mode='bridge'><interface dev='${bed.direct.device}'/></forward></network>`,
  })
  await run(host, virsh('net-start', '--network', bed.direct.network))
  await run(host, virsh('define', '--file', '/dev/stdin'), {
    stdin: guestXml(bed.running.name, runnableRichInterfaceXml(bed, bed.running.mac)),
  })
  await run(host, virsh('define', '--file', '/dev/stdin'), {
    stdin: guestXml(
      bed.plain.name,
      `<interface type='network'><mac address='${bed.plain.mac}'/><source network='${bed.networks[0]}'/><model type='virtio'/></interface>`,
    ),
  })
  await Promise.all([bed.running.name, bed.plain.name].map((guest) => startGuest(host, guest)))
}

/*
 * The rich interface carries a network filter. libvirt instantiates it with ebtables, and on libvirt 9 a start can
 * fail with "Failed to apply firewall rules … RULE_DELETE failed" while another test's guest instantiates its filter
 * at the same moment (ebtables-nft's rule deletion races). Such a start changed nothing, so it is tried again; any
 * other failure, or the same one three times, fails the set-up.
 */
async function startGuest(host: HostTarget, guest: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await run(host, virsh('start', '--domain', guest), { timeoutMs: 60_000, allowFailure: true })
    if (result.exitCode === 0) return
    if (attempt === 3 || !/Failed to apply firewall rules/.test(result.stderr))
      throw new Error(`virsh start ${guest} failed (attempt ${attempt}): ${result.stderr.trim()}`)
  }
}

export async function removeGuestBed(host: HostTarget, bed: GuestBed): Promise<void> {
  await virshBatch(
    host,
    [
      ...[bed.off.name, bed.running.name, bed.plain.name].flatMap((guest) => [
        ['destroy', '--domain', guest],
        ['undefine', '--domain', guest],
      ]),
      ...[...bed.networks, bed.direct.network].flatMap((network) => [
        ['net-destroy', '--network', network],
        ['net-undefine', '--network', network],
      ]),
    ],
    { timeoutMs: 60_000 },
  )
  // Once seen on the lab: a net-destroy that failed while net-undefine went through left a transient network running.
  await virshBatch(
    host,
    [...bed.networks, bed.direct.network].map((network) => ['net-destroy', '--network', network]),
  )
  await run(host, sh`ip link del ${bed.direct.device} 2>/dev/null; true`)
}
