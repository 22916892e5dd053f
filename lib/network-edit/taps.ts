import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { domainNames, perDomain } from '@/lib/libvirt/domains'
import { parseDomIfList } from '@/lib/host-output/virsh-domiflist'

/** One running guest's interface on a libvirt network: its host-side tap. */
export type GuestTap = { guest: string; tap: string; mac: string }

/** Taps of every running guest whose interface has this network as its source (virsh domiflist). */
export async function runningGuestTaps(host: HostTarget, network: string): Promise<GuestTap[]> {
  const lists = await perDomain(host, await domainNames(host, 'running'), (guest) => ['domiflist', '--domain', guest])
  return lists.flatMap(({ name: guest, output }) =>
    parseDomIfList(output)
      .filter((nic) => nic.type === 'network' && nic.source === network && nic.interface)
      .map((nic) => ({ guest, tap: nic.interface!, mac: nic.mac })),
  )
}

/** Taps that are not ports of `bridge` right now, read from sysfs (`master` links to the bridge). */
export async function tapsOffBridge(host: HostTarget, taps: string[], bridge: string): Promise<string[]> {
  if (taps.length === 0) return []
  const result = await run(
    host,
    sh`for t in ${taps}; do printf '%s %s\n' "$t" "$(basename "$(readlink /sys/class/net/$t/master 2>/dev/null)" 2>/dev/null)"; done`,
  )
  return result.stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([tap, master]) => tap && master !== bridge)
    .map(([tap]) => tap!)
}
